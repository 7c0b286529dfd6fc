# deployCanary: run Image:Version as the canary container and wait for its health check.
NAME="$SERVICE-canary"
REF="$IMAGE:$VERSION"
HOST_PORT="${CA_HOST_PORT:-$CONTAINER_PORT}"

take_lock
recover_replaced "$NAME"

status=$(container_status "$NAME")
if [ "$status" = "true $REF" ] && wait_healthy; then
  succeed false "canary $REF already running and healthy on port $HOST_PORT"
fi

ensure_image "$REF" || fail "cannot pull $REF"
set_aside "$NAME"
on_undo "\"\$CA_DOCKER\" rm -f '$NAME' >/dev/null 2>&1"
container_run "$NAME" "$REF" || fail "cannot start $REF on port $HOST_PORT (is the port taken?)"
wait_healthy || fail "$REF failed its health check $HEALTH_PATH on port $HOST_PORT within ${CA_HEALTH_TIMEOUT_SECONDS}s"
"$CA_DOCKER" rm -f "$NAME-replaced" >/dev/null 2>&1
succeed true "canary $REF running and healthy on port $HOST_PORT"

# restoreStable: put Image:Version (the version before the release) back on a stable host, from the container
# promote kept when there is one, from the registry otherwise.
NAME="$SERVICE"
KEEP="$SERVICE-previous"
REF="$IMAGE:$VERSION"
HOST_PORT="${CA_HOST_PORT:-$CONTAINER_PORT}"

take_lock
recover_replaced "$NAME"

status=$(container_status "$NAME")
succeed_if_running "$status" "$REF" "$REF already running and healthy"

kept=$(container_status "$KEEP")
if [ "${kept#* }" != "$REF" ]; then
  ensure_image "$REF"
fi
set_aside "$NAME"
if [ -n "$kept" ] && [ "${kept#* }" = "$REF" ]; then
  "$CA_DOCKER" rename "$KEEP" "$NAME" || fail "cannot rename $KEEP"
  on_undo "\"\$CA_DOCKER\" rename '$NAME' '$KEEP'"
  on_undo "\"\$CA_DOCKER\" stop '$NAME' >/dev/null 2>&1"
  "$CA_DOCKER" start "$NAME" >/dev/null || fail "cannot start the kept container $REF (is port $HOST_PORT taken?)"
  source="the kept container"
else
  on_undo "remove_container '$NAME'"
  container_run "$NAME" "$REF"
  source="the registry"
fi
wait_healthy || fail "$REF failed its health check $HEALTH_PATH on port $HOST_PORT within ${CA_HEALTH_TIMEOUT_SECONDS}s"
"$CA_DOCKER" rm -f "$NAME-replaced" >/dev/null 2>&1
succeed true "$REF restored from $source, running and healthy"

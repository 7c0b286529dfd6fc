# deployCanary: run Image:Version as the canary container and wait for its health check.
NAME="$SERVICE-canary"
REF="$IMAGE:$VERSION"
HOST_PORT="${CA_HOST_PORT:-$CONTAINER_PORT}"

take_lock
recover_replaced "$NAME"

status=$(container_status "$NAME")
succeed_if_running "$status" "$REF" "canary $REF already running and healthy on port $HOST_PORT"

replace_container "$NAME" "$REF"
succeed true "canary $REF running and healthy on port $HOST_PORT"

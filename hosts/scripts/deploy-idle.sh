# deployIdle: run Image:Version as the service on a host of the idle blue/green colour, whatever version it ran
# before (no user is on it: the listener forwards to the other colour), and wait for its health check. A failure
# puts the previous container back.
NAME="$SERVICE"
REF="$IMAGE:$VERSION"
HOST_PORT="${CA_HOST_PORT:-$CONTAINER_PORT}"

take_lock
recover_replaced "$NAME"
mirror_running && fail "the host serves through the agent's $(mirror_driver) proxy; a blue/green host never does"

status=$(container_status "$NAME")
succeed_if_running "$status" "$REF" "$REF already running and healthy"

replace_container "$NAME" "$REF"
succeed true "$REF running and healthy${status:+; ${status#* } replaced}"

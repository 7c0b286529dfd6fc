# stopMirror: hand the live port back from the agent's proxy (mirroring or routing) to the host's nginx. nginx
# starts beside it (SO_REUSEPORT), and only once it holds the port does the agent's proxy drain. If nginx's
# configuration no longer validates, the agent's proxy keeps serving and the operation fails.
take_lock
running=$(agent_proxy)
if [ -z "$running" ]; then
  pid_alive "$CA_NGINX_PID" && succeed false "not mirroring or routing; nginx serves port $LISTEN_PORT"
  out=$(nginx_test "$CA_NGINX_CONF") || fail "nginx is not running and its configuration does not validate: $out"
  nginx_start "$CA_NGINX_CONF" "$CA_NGINX_PID" || fail "nginx is not running and did not start"
  succeed true "not mirroring or routing; nginx was not running and has been started"
fi
driver=${running##* }
[ "$driver" = "$PROXY_DRIVER" ] || log "$running, not $PROXY_DRIVER; stopping the $running"

out=$(nginx_test "$CA_NGINX_CONF") || fail "nginx's configuration does not validate, so the $running keeps serving: $out"
started=$(date +%s%N)
if ! pid_alive "$CA_NGINX_PID"; then
  on_undo "nginx_quit \"\$CA_NGINX_PID\""
  nginx_start "$CA_NGINX_CONF" "$CA_NGINX_PID" || fail "nginx did not start beside the $running (does it listen on port $LISTEN_PORT with reuseport?)"
fi
proxy_quit
handoff_ms=$((($(date +%s%N) - started) / 1000000))
rm -f "$SERVICE_DIR/mirror.env" "$SERVICE_DIR/routing.env"
succeed true "nginx serves port $LISTEN_PORT again; the $running handed over and drained in ${handoff_ms} ms"

# stopMirror: hand the live port back from the mirroring proxy to the host's nginx. nginx starts beside it
# (SO_REUSEPORT), and only once it holds the port does the mirroring proxy drain. If nginx's configuration no
# longer validates, the mirroring proxy keeps serving and the operation fails.
take_lock
running=$(mirror_driver)
if [ -z "$running" ]; then
  pid_alive "$CA_NGINX_PID" && succeed false "not mirroring; nginx serves port $LISTEN_PORT"
  out=$(nginx_test "$CA_NGINX_CONF") || fail "nginx is not running and its configuration does not validate: $out"
  nginx_start "$CA_NGINX_CONF" "$CA_NGINX_PID" || fail "nginx is not running and did not start"
  succeed true "not mirroring; nginx was not running and has been started"
fi
[ "$running" = "$PROXY_DRIVER" ] || log "mirroring through $running, not $PROXY_DRIVER; stopping $running"

out=$(nginx_test "$CA_NGINX_CONF") || fail "nginx's configuration does not validate, so $running keeps serving: $out"
started=$(date +%s%N)
if ! pid_alive "$CA_NGINX_PID"; then
  on_undo "nginx_quit \"\$CA_NGINX_PID\""
  nginx_start "$CA_NGINX_CONF" "$CA_NGINX_PID" || fail "nginx did not start beside $running (does it listen on port $LISTEN_PORT with reuseport?)"
fi
mirror_quit
handoff_ms=$((($(date +%s%N) - started) / 1000000))
rm -f "$SERVICE_DIR/mirror.env"
succeed true "nginx serves port $LISTEN_PORT again; $running handed over and drained in ${handoff_ms} ms"

# startMirror: hand the live port from the host's nginx to a mirroring proxy (Envoy, or a second nginx with
# the mirror module). The new proxy binds the same port with SO_REUSEPORT, is confirmed ready, and only then
# does the old nginx drain (SIGQUIT). Any failure before that point leaves the host's nginx serving alone.
LISTEN_ADDRESS=$CA_LISTEN_ADDRESS
UPSTREAM_ADDRESS=$CA_UPSTREAM_ADDRESS
MIRROR_PORT=$CA_MIRROR_PORT
ADMIN_PORT=$CA_ADMIN_PORT
RESOLVER=$CA_RESOLVER
ACCESS_LOG=$CA_ACCESS_LOG
WORKER_PROCESSES=$CA_NGINX_WORKERS
IDLE_TIMEOUT=$((READ_TIMEOUT > SEND_TIMEOUT ? READ_TIMEOUT : SEND_TIMEOUT))
PID_FILE=$MIRROR_NGINX_PID
TEMP_DIR="$SERVICE_DIR/mirror-nginx-temp"
ERROR_LOG="$SERVICE_DIR/mirror-nginx.error.log"
MIRROR_NUMERATOR=$(parts_per_million "$MIRROR_PERCENT")

take_lock
check_access_log
[ "$MIRROR_NUMERATOR" -gt 0 ] && [ "$MIRROR_NUMERATOR" -le 1000000 ] ||
  fail "MirrorPercent $MIRROR_PERCENT is not between 0.01 and 100"
routing=$(routing_driver)
[ -z "$routing" ] || fail "the host routes users through $routing; stop routing (stopMirror) before mirroring"

if [ "$PROXY_DRIVER" = envoy ]; then
  CONF=$ENVOY_CONF
  render_template "$ENVOY_TEMPLATE" >"$CONF.new" || fail "cannot render the Envoy configuration"
else
  CONF=$MIRROR_NGINX_CONF
  mkdir -p "$TEMP_DIR" || fail "cannot create $TEMP_DIR"
  render_template "$MIRROR_NGINX_TEMPLATE" >"$CONF.new" || fail "cannot render the mirroring nginx configuration"
fi
on_undo "rm -f '$CONF.new'"
WHAT="mirroring $MIRROR_PERCENT% of requests on port $LISTEN_PORT to $MIRROR_HOST:$MIRROR_PORT through $PROXY_DRIVER"

running=$(mirror_driver)
if [ -n "$running" ]; then
  [ "$running" = "$PROXY_DRIVER" ] || fail "already mirroring through $running; stop mirroring before switching to $PROXY_DRIVER"
  if cmp -s "$CONF" "$CONF.new"; then
    rm -f "$CONF.new"
    succeed false "already $WHAT"
  fi
  [ "$PROXY_DRIVER" = nginx ] ||
    fail "Envoy already mirrors with other settings; change a whole-percent share live with POST /runtime_modify?canary_agent.mirror_percent=N (Envoy reads an admin value as a whole percent and ignores 2.5), or stop mirroring first"
  nginx_reload_with mirroring "$CONF" "$MIRROR_NGINX_PID"
  succeed true "now $WHAT (reloaded)"
fi

if [ "$PROXY_DRIVER" = envoy ]; then
  take_over_from_nginx mirroring envoy "$CONF" "$ENVOY_PID"
else
  take_over_from_nginx mirroring nginx "$CONF" "$MIRROR_NGINX_PID"
fi
printf 'DRIVER=%s\nRELEASE_ID=%s\nMIRROR_HOST=%s\nMIRROR_PERCENT=%s\n' "$PROXY_DRIVER" "$RELEASE_ID" "$MIRROR_HOST" "$MIRROR_PERCENT" >"$SERVICE_DIR/mirror.env"
succeed true "$WHAT; nginx handed over and drained in ${HANDOFF_MS} ms${HANDOFF_NOTE}"

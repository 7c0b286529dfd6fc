# startMirror: hand the live port from the host's nginx to a mirroring proxy (Envoy, or a second nginx with
# the mirror module). The new proxy binds the same port with SO_REUSEPORT, is confirmed ready, and only then
# does the old nginx drain (SIGQUIT). Any failure before that point leaves the host's nginx serving alone.
LISTEN_ADDRESS=$CA_LISTEN_ADDRESS
UPSTREAM_ADDRESS=$CA_UPSTREAM_ADDRESS
MIRROR_PORT=$CA_MIRROR_PORT
ADMIN_PORT=$CA_ADMIN_PORT
RESOLVER=$CA_RESOLVER
WORKER_PROCESSES=$CA_NGINX_WORKERS
IDLE_TIMEOUT=$((READ_TIMEOUT > SEND_TIMEOUT ? READ_TIMEOUT : SEND_TIMEOUT))
PID_FILE=$MIRROR_NGINX_PID
TEMP_DIR="$SERVICE_DIR/mirror-nginx-temp"
ERROR_LOG="$SERVICE_DIR/mirror-nginx.error.log"

# "2.5" -> 25000 (parts per million), without floating point in the shell.
whole=${MIRROR_PERCENT%%.*}
fraction=""
[ "$whole" = "$MIRROR_PERCENT" ] || fraction=${MIRROR_PERCENT#*.}
fraction="${fraction}0000"
MIRROR_NUMERATOR=$((10#$whole * 10000 + 10#${fraction:0:4}))

take_lock
[ "$MIRROR_NUMERATOR" -gt 0 ] && [ "$MIRROR_NUMERATOR" -le 1000000 ] ||
  fail "MirrorPercent $MIRROR_PERCENT is not between 0.01 and 100"

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
    fail "Envoy already mirrors with other settings; change the share live with POST /runtime_modify?canary_agent.mirror_percent=N or stop mirroring first"
  out=$(nginx_test "$CONF.new") || fail "the new mirroring nginx configuration does not validate: $out"
  cp "$CONF" "$CONF.previous" && mv "$CONF.new" "$CONF" || fail "cannot replace $CONF"
  on_undo "mv '$CONF.previous' '$CONF' && kill -HUP \"\$(pid_of '$MIRROR_NGINX_PID')\""
  kill -HUP "$(pid_of "$MIRROR_NGINX_PID")" || fail "cannot reload the mirroring nginx"
  succeed true "now $WHAT (reloaded)"
fi

pid_alive "$CA_NGINX_PID" || fail "the host's nginx is not running ($CA_NGINX_PID), so there is nothing to hand over"
stable_nginx_reuseport ||
  fail "nginx ($CA_NGINX_CONF) does not listen on port $LISTEN_PORT with reuseport, so no second proxy can bind it: add 'reuseport' to that listen directive"

if [ "$PROXY_DRIVER" = envoy ]; then
  out=$("$CA_ENVOY" --mode validate -c "$CONF.new" 9>&- 2>&1) || fail "envoy --mode validate rejected the configuration: $out"
else
  out=$(nginx_test "$CONF.new") || fail "the mirroring nginx configuration does not validate: $out"
fi
mv "$CONF.new" "$CONF" || fail "cannot write $CONF"

started=$(date +%s%N)
if [ "$PROXY_DRIVER" = envoy ]; then
  on_undo "envoy_quit"
  envoy_start || fail "Envoy did not become ready on 127.0.0.1:$ADMIN_PORT within ${CA_READY_TIMEOUT_SECONDS}s"
else
  on_undo "nginx_quit '$MIRROR_NGINX_PID'; rm -f '$MIRROR_NGINX_PID'"
  nginx_start "$CONF" "$MIRROR_NGINX_PID" || fail "the mirroring nginx did not start (is port $LISTEN_PORT or $ADMIN_PORT taken without reuseport?)"
  wait_until "$CA_READY_TIMEOUT_SECONDS" proxy_ready || fail "the mirroring nginx did not become ready on 127.0.0.1:$ADMIN_PORT"
fi
nginx_quit "$CA_NGINX_PID"
handoff_ms=$((($(date +%s%N) - started) / 1000000))
printf 'DRIVER=%s\nRELEASE_ID=%s\nMIRROR_HOST=%s\nMIRROR_PERCENT=%s\n' "$PROXY_DRIVER" "$RELEASE_ID" "$MIRROR_HOST" "$MIRROR_PERCENT" >"$SERVICE_DIR/mirror.env"
succeed true "$WHAT; nginx handed over and drained in ${handoff_ms} ms"

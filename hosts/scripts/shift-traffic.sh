# shiftTraffic: route a share of users to the canary through a routing proxy on the live port (Envoy, or a
# second nginx). The first run hands the port over from the host's nginx like startMirror (the routing proxy
# binds it with SO_REUSEPORT, is confirmed ready, and only then does nginx drain); later runs change the share
# in place without a restart: the routing nginx reloads (same master, same listening socket), Envoy takes new
# runtime weights from its admin API. Who goes where is in hosts/routing-nginx.ts and hosts/routing-envoy*.ts.
#
# applyRoutingLists runs this same script: new live VIP and tester lists for the routing proxy of a host that
# routes users now, with the share it routes kept (a later step may have raised it), through the same in-place
# change: the routing nginx reloads with new list files, Envoy reloads its routes file. A host that routes nobody
# is left as it is: the next shift of traffic brings the lists.
LISTEN_ADDRESS=$CA_LISTEN_ADDRESS
UPSTREAM_ADDRESS=$CA_UPSTREAM_ADDRESS
CANARY_PORT=$CA_MIRROR_PORT
ADMIN_PORT=$CA_ADMIN_PORT
ACCESS_LOG=$CA_ACCESS_LOG
WORKER_PROCESSES=$CA_NGINX_WORKERS
IDLE_TIMEOUT=$((READ_TIMEOUT > SEND_TIMEOUT ? READ_TIMEOUT : SEND_TIMEOUT))
PID_FILE=$ROUTING_NGINX_PID
TEMP_DIR="$SERVICE_DIR/routing-nginx-temp"
ERROR_LOG="$SERVICE_DIR/routing-nginx.error.log"
CANARY_LOG="$SERVICE_DIR/routing-canary.log"
FAILOVER_LOG="$SERVICE_DIR/routing-failover.log"
ROUTING_ENV="$SERVICE_DIR/routing.env"
ROUTES_FILE=$ROUTING_ENVOY_ROUTES

runtime_weights() { # canary weight (parts per million)
  curl -fsS -o /dev/null --max-time 2 -X POST \
    "http://127.0.0.1:$CA_ADMIN_PORT/runtime_modify?canary_agent.weight.canary=$1&canary_agent.weight.stable=$((1000000 - $1))"
}
# New connections reach the reloaded workers once the readiness endpoint answers with the new share and lists.
serves_new_share() {
  [ "$(curl -fsS --max-time 2 "http://127.0.0.1:$CA_ADMIN_PORT/ready" 2>/dev/null)" = "ready $CANARY_PERCENT $LISTS_ID" ]
}
record() {
  printf 'DRIVER=%s\nRELEASE_ID=%s\nCANARY_HOST=%s\nCANARY_PERCENT=%s\nCANARY_WEIGHT=%s\n' \
    "$PROXY_DRIVER" "$RELEASE_ID" "$CANARY_HOST" "$CANARY_PERCENT" "$CANARY_WEIGHT" >"$ROUTING_ENV"
  record_lists
}

take_lock
check_access_log
mirroring=$(mirror_driver)
[ -z "$mirroring" ] || fail "the host mirrors through $mirroring; stop mirroring before routing users"
running=$(routing_driver)
if [ "$OPERATION" = applyRoutingLists ]; then
  [ -n "$running" ] || succeed false "routes no users here (no routing proxy): the next shift of traffic brings the lists"
  CANARY_PERCENT=$(sed -n 's/^CANARY_PERCENT=//p' "$ROUTING_ENV" 2>/dev/null)
  [[ $CANARY_PERCENT =~ ^(100|[1-9]?[0-9](\.[0-9]{1,2})?)$ ]] || fail "cannot tell which share this host routes ($ROUTING_ENV)"
  PROXY_DRIVER=$running
fi
[ -z "$running" ] || keep_newest_lists

# Derived values the templates use (hosts/templates.ts): weights in parts per million, nginx's split_clients
# line (it takes no "0%"), each header as an nginx variable name, the VIP rules a service leaves out, the lists,
# the colouring rules (lib-colouring.sh).
CANARY_WEIGHT=$(parts_per_million "$CANARY_PERCENT")
STABLE_WEIGHT=$((1000000 - CANARY_WEIGHT))
if [ "$CANARY_WEIGHT" -gt 0 ]; then CANARY_SPLIT="$CANARY_PERCENT% 1"; else CANARY_SPLIT="100% 0"; fi
header_variable() { local v=${1,,}; printf '%s' "${v//-/_}"; }
: "${VIP_COOKIE:=canary-agent-unset}" "${VIP_COOKIE_VALUE:=canary-agent-unset}"
: "${VIP_HEADER:=canary-agent-unset}" "${VIP_HEADER_VALUE:=canary-agent-unset}"
TESTER_HEADER_VAR=$(header_variable "$TESTER_HEADER")
VIP_HEADER_VAR=$(header_variable "$VIP_HEADER")
TAG_HEADER_VAR=$(header_variable "$TAG_HEADER")
CANARY_HOST_REGEX=${CANARY_HOST//./\\.}
LISTS_ID=$(lists_id)
LISTS_DIR="$ROUTING_LISTS_ROOT/$LISTS_ID"
render_colour_rules

if [ "$PROXY_DRIVER" = envoy ]; then
  CONF=$ROUTING_ENVOY_CONF
  PIDFILE=$ROUTING_ENVOY_PID
  write_envoy_routes || fail "cannot render the routing Envoy's routes"
  on_undo "rm -f '$ROUTING_ENVOY_ROUTES.new'"
  render_template "$ROUTING_ENVOY_TEMPLATE" >"$CONF.new" || fail "cannot render the routing Envoy configuration"
else
  CONF=$ROUTING_NGINX_CONF
  PIDFILE=$ROUTING_NGINX_PID
  mkdir -p "$TEMP_DIR" || fail "cannot create $TEMP_DIR"
  write_nginx_lists "$LISTS_DIR" || fail "cannot write the routing lists into $LISTS_DIR"
  render_template "$ROUTING_NGINX_TEMPLATE" >"$CONF.new" || fail "cannot render the routing nginx configuration"
fi
on_undo "rm -f '$CONF.new'"
LISTED="$(list_size "$VIP_LIST") listed VIP(s) and $(list_size "$TESTER_LIST") listed tester(s)"
WHAT="routing $CANARY_PERCENT% of users on port $LISTEN_PORT to $CANARY_HOST:$CANARY_PORT through $PROXY_DRIVER, with $LISTED"

if [ -n "$running" ]; then
  [ "$running" = "$PROXY_DRIVER" ] || fail "already routing through $running; stop routing before switching to $PROXY_DRIVER"
  if cmp -s "$CONF" "$CONF.new" && { [ "$running" = nginx ] || cmp -s "$ROUTES_FILE" "$ROUTES_FILE.new"; }; then
    rm -f "$CONF.new" "$ROUTES_FILE.new"
    record
    succeed false "already $WHAT"
  fi
  if [ "$PROXY_DRIVER" = nginx ]; then
    nginx_reload_with routing "$CONF" "$PIDFILE"
    wait_until "$CA_READY_TIMEOUT_SECONDS" serves_new_share ||
      fail "the routing nginx did not serve the new share and lists within ${CA_READY_TIMEOUT_SECONDS}s"
    # Requests still in flight on the old workers finish there; past the drain time the change is reported anyway.
    wait_until "$CA_DRAIN_SECONDS" old_workers_gone || true
    record
    prune_nginx_lists "$LISTS_DIR"
    succeed true "now $WHAT (reloaded; master $(pid_of "$PIDFILE") kept the listener)"
  fi
  # Envoy changes its weights and its routes file in place; any other change needs a fresh hand-off.
  previous=$(sed -n 's/^CANARY_WEIGHT=//p' "$ROUTING_ENV" 2>/dev/null)
  [ -n "$previous" ] && [ "$(CANARY_WEIGHT=$previous STABLE_WEIGHT=$((1000000 - previous)) render_template "$ROUTING_ENVOY_TEMPLATE")" = "$(cat "$CONF")" ] ||
    fail "Envoy already routes with other settings; stop routing (stopMirror) before changing anything but the share or the lists"
  if [ "$previous" != "$CANARY_WEIGHT" ]; then
    runtime_weights "$CANARY_WEIGHT" || fail "Envoy did not accept the new weights on 127.0.0.1:$CA_ADMIN_PORT"
    on_undo "runtime_weights '$previous'"
  fi
  if ! cmp -s "$ROUTES_FILE" "$ROUTES_FILE.new"; then
    swap_envoy_routes || fail "Envoy did not load the new routes (version $ROUTES_VERSION) within ${CA_READY_TIMEOUT_SECONDS}s"
  fi
  mv "$CONF.new" "$CONF" || fail "cannot write $CONF"
  record
  succeed true "now $WHAT (runtime weights and routes changed live)"
fi

# Envoy reads its routes file when it starts: in place before the hand-off (nothing reads it before).
if [ "$PROXY_DRIVER" = envoy ]; then
  mv "$ROUTES_FILE.new" "$ROUTES_FILE" || fail "cannot write $ROUTES_FILE"
  on_undo "rm -f '$ROUTES_FILE'"
fi
take_over_from_nginx routing "$PROXY_DRIVER" "$CONF" "$PIDFILE"
record
[ "$PROXY_DRIVER" = envoy ] || prune_nginx_lists "$LISTS_DIR"
succeed true "$WHAT; nginx handed over and drained in ${HANDOFF_MS} ms${HANDOFF_NOTE}"

# ---- the agent's proxies (mirroring or routing) ---------------------------------------------------------------

MIRROR_NGINX_CONF="$SERVICE_DIR/mirror-nginx.conf"
MIRROR_NGINX_PID="$CA_RUN_DIR/$SERVICE-mirror-nginx.pid"
ENVOY_CONF="$SERVICE_DIR/envoy.json"
ENVOY_PID="$CA_RUN_DIR/$SERVICE-envoy.pid"
ROUTING_NGINX_CONF="$SERVICE_DIR/routing-nginx.conf"
ROUTING_NGINX_PID="$CA_RUN_DIR/$SERVICE-routing-nginx.pid"
ROUTING_ENVOY_CONF="$SERVICE_DIR/routing-envoy.json"
ROUTING_ENVOY_PID="$CA_RUN_DIR/$SERVICE-routing-envoy.pid"

mirror_running() { pid_alive "$MIRROR_NGINX_PID" || pid_alive "$ENVOY_PID"; }
mirror_driver() {
  if pid_alive "$ENVOY_PID"; then echo envoy; elif pid_alive "$MIRROR_NGINX_PID"; then echo nginx; fi
}
routing_driver() {
  if pid_alive "$ROUTING_ENVOY_PID"; then echo envoy; elif pid_alive "$ROUTING_NGINX_PID"; then echo nginx; fi
}
# Whichever proxy the agent put on the live port: "mirroring nginx", "routing envoy", ... or nothing.
agent_proxy() {
  local driver
  driver=$(mirror_driver)
  if [ -n "$driver" ]; then echo "mirroring $driver"; return; fi
  driver=$(routing_driver)
  if [ -n "$driver" ]; then echo "routing $driver"; fi
}
proxy_ready() { http_ok "http://127.0.0.1:$CA_ADMIN_PORT/ready"; }

# The agent's proxies log each request to the host's access log, whose path goes unquoted into nginx's
# configuration and Envoy's JSON: only ACCESS_LOG_PATTERN (hosts/access-log.ts) passes, matched byte by byte
# (LC_ALL=C) whatever the host's locale. A missing directory fails here rather than as nginx's "open() failed" or
# as an Envoy that never becomes ready.
access_log_path_ok() { local LC_ALL=C; [[ $1 =~ ^/[A-Za-z0-9._/-]+$ ]]; }
check_access_log() {
  access_log_path_ok "$CA_ACCESS_LOG" ||
    fail "CA_ACCESS_LOG must be an absolute path of letters, digits and . _ - / only, not '${CA_ACCESS_LOG//[![:print:]]/?}'"
  [ -d "$(dirname "$CA_ACCESS_LOG")" ] && [ ! -d "$CA_ACCESS_LOG" ] ||
    fail "the access log $CA_ACCESS_LOG cannot be written: its directory does not exist, or it is a directory (set CA_ACCESS_LOG)"
}

# "2.5" -> 25000 (parts per million), without floating point in the shell.
parts_per_million() {
  local whole=${1%%.*} fraction=""
  [ "$whole" = "$1" ] || fraction=${1#*.}
  fraction="${fraction}0000"
  echo $((10#$whole * 10000 + 10#${fraction:0:4}))
}

# --drain-time-s: how long a graceful drain keeps the listener (answering with `Connection: close`) at most.
envoy_start() { # conf pidfile
  nohup "$CA_ENVOY" -c "$1" --disable-hot-restart --drain-time-s "$CA_DRAIN_SECONDS" \
    --drain-strategy immediate --log-path "${1%.json}.log" 9>&- >/dev/null 2>&1 &
  echo $! >"$2"
  wait_until "$CA_READY_TIMEOUT_SECONDS" proxy_ready
}

# Envoy's graceful drain: every response says `Connection: close` (--drain-strategy immediate) while the
# listener still accepts; once the connections Envoy held have closed (or CA_DRAIN_SECONDS), the listener stops,
# the connections accepted meanwhile finish their one request, and Envoy exits.
envoy_quit() { # pidfile
  local pid admin="http://127.0.0.1:$CA_ADMIN_PORT"
  pid=$(pid_of "$1") || return 0
  if curl -fsS -o /dev/null --max-time 2 -X POST "$admin/drain_listeners?graceful" 2>/dev/null; then
    drain_connections "envoy $pid" "$1.draining" "$pid"
    migrate_queued_connections
    curl -fsS -o /dev/null --max-time 2 -X POST "$admin/drain_listeners" 2>/dev/null
    CA_DRAIN_SECONDS=2 drain_connections "envoy $pid" "$1.draining" "$pid"
  else
    log "envoy did not accept the drain request; stopping it"
  fi
  kill -TERM "$pid" 2>/dev/null
  wait_until "$CA_DRAIN_SECONDS" pid_gone "$1" || kill -KILL "$pid" 2>/dev/null
  rm -f "$1" "$1.draining"
}

# Drains every agent proxy on the host, whatever its role.
proxy_quit() {
  local pidfile
  for pidfile in "$ENVOY_PID" "$ROUTING_ENVOY_PID"; do
    if pid_alive "$pidfile"; then envoy_quit "$pidfile"; fi
  done
  for pidfile in "$MIRROR_NGINX_PID" "$ROUTING_NGINX_PID"; do
    if pid_alive "$pidfile"; then
      on_undo "rm -f '$pidfile.draining'"
      nginx_drain "$pidfile"
      nginx_quit "$pidfile"
    fi
  done
  rm -f "$MIRROR_NGINX_PID" "$ENVOY_PID" "$ROUTING_NGINX_PID" "$ROUTING_ENVOY_PID"
}

# The rendered configurations need Envoy 1.34 or later: mirroring relies on `disable_shadow_host_suffix_append`
# (1.31; an older Envoy sends mirrored requests with a Host ending in "-shadow"), and the canary ELB's cluster on
# the `envoy.clusters.dns` extension's DnsCluster fields, which replaced Cluster's deprecated DNS fields in 2025
# (1.34 is the oldest release certain to have them). An older Envoy is refused before it touches the live port.
envoy_recent_enough() {
  local version major minor
  version=$("$CA_ENVOY" --version 9>&- 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1)
  [ -n "$version" ] || fail "cannot tell which Envoy $CA_ENVOY is ('envoy --version' names none); the envoy driver needs Envoy 1.34 or later"
  major=${version%%.*}
  minor=${version#*.}
  minor=${minor%%.*}
  [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 34 ]; } ||
    fail "Envoy $version is too old for the envoy driver, which needs Envoy 1.34 or later; upgrade it, or use the nginx driver"
}

# The hand-off from the host's nginx to the agent's proxy, whose configuration waits in CONF.new: the proxy
# binds the live port beside nginx (SO_REUSEPORT), is confirmed ready, and only then does nginx drain (its
# switch, when its configuration has it) and stop (SIGQUIT). Any failure before that leaves nginx serving alone.
# Sets HANDOFF_MS, and HANDOFF_NOTE when nginx could not drain.
take_over_from_nginx() { # role driver conf pidfile
  local role=$1 driver=$2 conf=$3 pidfile=$4 out started
  pid_alive "$CA_NGINX_PID" || fail "the host's nginx is not running ($CA_NGINX_PID), so there is nothing to hand over"
  stable_nginx_reuseport ||
    fail "nginx ($CA_NGINX_CONF) does not listen on port $LISTEN_PORT with reuseport, so no second proxy can bind it: add 'reuseport' to that listen directive"
  if [ "$driver" = envoy ]; then
    envoy_recent_enough
    out=$("$CA_ENVOY" --mode validate -c "$conf.new" 9>&- 2>&1) || fail "envoy --mode validate rejected the configuration: $out"
  else
    out=$(nginx_test "$conf.new") || fail "the $role nginx configuration does not validate: $out"
  fi
  mv "$conf.new" "$conf" || fail "cannot write $conf"

  started=$(date +%s%N)
  if [ "$driver" = envoy ]; then
    on_undo "envoy_quit '$pidfile'"
    envoy_start "$conf" "$pidfile" || fail "Envoy did not become ready on 127.0.0.1:$CA_ADMIN_PORT within ${CA_READY_TIMEOUT_SECONDS}s"
  else
    on_undo "nginx_quit '$pidfile'; rm -f '$pidfile'"
    nginx_start "$conf" "$pidfile" || fail "the $role nginx did not start (is port $LISTEN_PORT or $CA_ADMIN_PORT taken without reuseport?)"
    wait_until "$CA_READY_TIMEOUT_SECONDS" proxy_ready || fail "the $role nginx did not become ready on 127.0.0.1:$CA_ADMIN_PORT"
  fi
  HANDOFF_NOTE=""
  if stable_nginx_drainable; then
    on_undo "rm -f '$CA_NGINX_PID.draining'"
    nginx_drain "$CA_NGINX_PID"
  else
    HANDOFF_NOTE=" (without a drain: nginx's configuration has no drain switch, see docs/hand-offs.md)"
  fi
  nginx_quit "$CA_NGINX_PID"
  HANDOFF_MS=$((($(date +%s%N) - started) / 1000000))
}

# A running agent nginx takes the configuration waiting in CONF.new: SIGHUP keeps its master and listening
# sockets and starts new workers, and the old workers close their idle keep-alive connections at once. So the
# workers drain first (every response `Connection: close`, until the connections they held have closed), and
# the switch goes off once the old workers have started shutting down (the new ones then keep connections
# alive again). Undone by putting the previous file back and reloading again.
nginx_reload_with() { # role conf pidfile
  local role=$1 conf=$2 pidfile=$3 out master
  out=$(nginx_test "$conf.new") || fail "the new $role nginx configuration does not validate: $out"
  cp "$conf" "$conf.previous" && mv "$conf.new" "$conf" || fail "cannot replace $conf"
  on_undo "mv '$conf.previous' '$conf' && kill -HUP \"\$(pid_of '$pidfile')\""
  on_undo "rm -f '$pidfile.draining'"
  master=$(pid_of "$pidfile")
  nginx_drain "$pidfile"
  RELOADED_WORKERS=$(nginx_workers "$pidfile")
  kill -HUP "$master" || fail "cannot reload the $role nginx"
  wait_until "$CA_READY_TIMEOUT_SECONDS" old_workers_shutting_down || log "the old $role nginx workers did not start shutting down"
  rm -f "$pidfile.draining"
}

worker_gone() { [ ! -d "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# After a reload the old workers still serve, with the old configuration, the connections they hold and those
# already queued on their sockets; the change is complete for everyone once they have exited.
old_workers_gone() {
  local pid
  for pid in $RELOADED_WORKERS; do worker_gone "$pid" || return 1; done
}

old_workers_shutting_down() {
  local pid
  for pid in $RELOADED_WORKERS; do
    worker_gone "$pid" || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'shutting down' || return 1
  done
}

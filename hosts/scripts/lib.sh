# Shared by every canary-agent host operation; hosts/build-documents.ts inlines it into each SSM document
# after the parameter assignments (OPERATION, SERVICE, RELEASE_ID, ...), whose values the documents'
# allowedPattern has already restricted to shell-safe characters.
#
# Every path, port and command is an environment variable with a production default, so that tests and the
# sandbox run the same script unprivileged on loopback.
set -uo pipefail
umask 022

: "${CA_STATE_DIR:=/var/lib/canary-agent}"
: "${CA_RUN_DIR:=/run/canary-agent}"
: "${CA_LOCK_FILE:=$CA_RUN_DIR/host.lock}"
: "${CA_LOCK_WAIT_SECONDS:=120}"
: "${CA_DOCKER:=docker}"
: "${CA_ENVOY:=envoy}"
: "${CA_NGINX:=nginx}"
: "${CA_NGINX_CONF:=/etc/nginx/nginx.conf}"
: "${CA_NGINX_PID:=/run/nginx.pid}"
: "${CA_NGINX_WORKERS:=auto}"
: "${CA_LISTEN_ADDRESS:=0.0.0.0}"
: "${CA_UPSTREAM_ADDRESS:=127.0.0.1}"
: "${CA_MIRROR_PORT:=80}"
: "${CA_ADMIN_PORT:=9901}"
: "${CA_RESOLVER:=169.254.169.253}"
: "${CA_HEALTH_TIMEOUT_SECONDS:=90}"
: "${CA_READY_TIMEOUT_SECONDS:=20}"
: "${CA_DRAIN_SECONDS:=30}"
: "${CA_ENVOY_DRAIN_SECONDS:=5}"
: "${CA_CONTAINER_HOST_ADDRESS:=127.0.0.1}"

SERVICE_DIR="$CA_STATE_DIR/$SERVICE"
UNDO=()
FINISHED=0
UNDO_FAILED=0

log() { printf '%s %s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$OPERATION" "$SERVICE" "$*" >&2; }

json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/ }
  printf '"%s"' "$s"
}

# The last line on stdout: what the agent shows in Slack.
summary() {
  local ok=$1 changed=$2 message=$3 restored=${4:-null}
  printf '{"operation":%s,"service":%s,"releaseId":%s,"host":%s,"ok":%s,"changed":%s,"restored":%s,"message":%s}\n' \
    "$(json_string "$OPERATION")" "$(json_string "$SERVICE")" "$(json_string "$RELEASE_ID")" \
    "$(json_string "$(hostname)")" "$ok" "$changed" "$restored" "$(json_string "$message")"
}

# Registers a command that undoes the step just taken; on failure they run newest first.
on_undo() { UNDO+=("$1"); }

run_undo() {
  local i
  for ((i = ${#UNDO[@]} - 1; i >= 0; i--)); do
    log "undo: ${UNDO[i]}"
    eval "${UNDO[i]}" || { UNDO_FAILED=1; log "undo step failed: ${UNDO[i]}"; }
  done
  UNDO=()
}

fail() {
  log "failed: $1"
  local restored=true
  run_undo
  [ "$UNDO_FAILED" -eq 0 ] || restored=false
  FINISHED=1
  summary false false "$1" "$restored"
  exit 1
}

succeed() {
  FINISHED=1
  UNDO=()
  summary true "$1" "$2"
  exit 0
}

# Whatever ends the script early (a signal, an unexpected exit) still puts the host back.
on_exit() {
  local rc=$?
  [ "$FINISHED" -eq 1 ] && return
  trap - EXIT
  fail "stopped unexpectedly (exit $rc)"
}
trap on_exit EXIT
trap 'fail "interrupted"' INT TERM

# One operation at a time per host. Long-lived children must not inherit fd 9, or they keep the lock.
take_lock() {
  mkdir -p "$(dirname "$CA_LOCK_FILE")" "$SERVICE_DIR" "$CA_RUN_DIR" || fail "cannot create state directories"
  exec 9>>"$CA_LOCK_FILE" || fail "cannot open lock file $CA_LOCK_FILE"
  flock -w "$CA_LOCK_WAIT_SECONDS" 9 || fail "another canary-agent operation has held the host lock for ${CA_LOCK_WAIT_SECONDS}s"
}

pid_of() { [ -s "$1" ] && cat "$1" 2>/dev/null; }
pid_alive() {
  local pid
  pid=$(pid_of "$1") || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # An exited process nobody has reaped yet is not alive.
  local stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ]
}

wait_until() { # seconds command...
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

pid_gone() { ! pid_alive "$1"; }

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# Renders a template from hosts/templates: each @@NAME@@ becomes the value of shell variable NAME.
render_template() {
  local out=$1 name
  while [[ $out =~ @@([A-Z_]+)@@ ]]; do
    name=${BASH_REMATCH[1]}
    [ -n "${!name+x}" ] || { log "template variable $name is not set"; return 1; }
    out=${out//@@${name}@@/${!name}}
  done
  printf '%s' "$out"
}

# ---- nginx -------------------------------------------------------------------------------------------------

nginx_test() { "$CA_NGINX" -t -q -c "$1" 9>&- 2>&1; }

# nginx binds its listening sockets before it returns, so once the master's pid is alive the port is held.
nginx_start() { # conf pidfile
  "$CA_NGINX" -c "$1" 9>&- >/dev/null 2>&1 || return 1
  wait_until "$CA_READY_TIMEOUT_SECONDS" pid_alive "$2"
}

# SIGQUIT: the listening sockets close at once, requests in flight finish (nginx's graceful shutdown).
nginx_quit() { # pidfile
  local pid
  pid=$(pid_of "$1") || return 0
  kill -QUIT "$pid" 2>/dev/null || return 0
  wait_until "$CA_DRAIN_SECONDS" pid_gone "$1" || log "nginx $pid still draining after ${CA_DRAIN_SECONDS}s (its listeners are closed)"
}

# Not a pipe: `grep -q` stops reading early, and pipefail would count nginx's SIGPIPE as a failure.
stable_nginx_reuseport() {
  local dump
  dump=$("$CA_NGINX" -T -q -c "$CA_NGINX_CONF" 9>&- 2>/dev/null) || return 1
  grep -Eq "^[[:space:]]*listen[[:space:]]+([^;[:space:]]*:)?${LISTEN_PORT}([[:space:]][^;]*)?[[:space:]]reuseport" <<<"$dump"
}

# ---- docker ------------------------------------------------------------------------------------------------

# Go templates for `docker inspect`, spelled so that no SSM parameter placeholder appears in the document.
LB='{''{'
RB='}''}'

container_status() { # name -> "true|false image" or nothing
  "$CA_DOCKER" inspect --format "${LB}.State.Running${RB} ${LB}.Config.Image${RB}" "$1" 2>/dev/null
}
container_exists() { [ -n "$(container_status "$1")" ]; }

ensure_image() { # ref
  "$CA_DOCKER" image inspect "$1" >/dev/null 2>&1 && return 0
  log "pulling $1"
  "$CA_DOCKER" pull "$1" >&2
}

container_run() { # name ref
  "$CA_DOCKER" run -d --name "$1" --restart unless-stopped \
    --label "canary-agent.release=$RELEASE_ID" \
    -p "$CA_CONTAINER_HOST_ADDRESS:$HOST_PORT:$CONTAINER_PORT" "$2" 9>&- >/dev/null
}

healthy() { http_ok "http://$CA_CONTAINER_HOST_ADDRESS:$HOST_PORT$HEALTH_PATH"; }
wait_healthy() { wait_until "$CA_HEALTH_TIMEOUT_SECONDS" healthy; }

# A run that died between renaming and committing leaves NAME-replaced behind: put it back or drop it.
recover_replaced() { # name
  container_exists "$1-replaced" || return 0
  if container_exists "$1"; then
    "$CA_DOCKER" rm -f "$1-replaced" >/dev/null
  else
    log "restoring $1 left aside by an interrupted run"
    "$CA_DOCKER" rename "$1-replaced" "$1" && "$CA_DOCKER" start "$1" >/dev/null
  fi
}

# Moves the current container aside (stopped, restorable) so NAME can be replaced.
set_aside() { # name
  local state
  state=$(container_status "$1")
  [ -n "$state" ] || return 0
  "$CA_DOCKER" rename "$1" "$1-replaced" || fail "cannot rename container $1"
  on_undo "\"\$CA_DOCKER\" rename '$1-replaced' '$1'"
  if [ "${state%% *}" = true ]; then
    "$CA_DOCKER" stop "$1-replaced" >/dev/null || fail "cannot stop container $1"
    on_undo "\"\$CA_DOCKER\" start '$1-replaced' >/dev/null"
  fi
}

# Runs REF as container NAME in place of whatever NAME ran, which stays aside until REF is healthy: a failure puts it
# back (through the undo list). Pulls REF first when the host does not have it.
replace_container() { # name ref
  ensure_image "$2" || fail "cannot pull $2"
  set_aside "$1"
  on_undo "\"\$CA_DOCKER\" rm -f '$1' >/dev/null 2>&1"
  container_run "$1" "$2" || fail "cannot start $2 on port $HOST_PORT (is the port taken?)"
  wait_healthy || fail "$2 failed its health check $HEALTH_PATH on port $HOST_PORT within ${CA_HEALTH_TIMEOUT_SECONDS}s"
  "$CA_DOCKER" rm -f "$1-replaced" >/dev/null 2>&1
}

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

# "2.5" -> 25000 (parts per million), without floating point in the shell.
parts_per_million() {
  local whole=${1%%.*} fraction=""
  [ "$whole" = "$1" ] || fraction=${1#*.}
  fraction="${fraction}0000"
  echo $((10#$whole * 10000 + 10#${fraction:0:4}))
}

envoy_start() { # conf pidfile
  nohup "$CA_ENVOY" -c "$1" --disable-hot-restart --drain-time-s "$CA_ENVOY_DRAIN_SECONDS" \
    --drain-strategy immediate --log-path "${1%.json}.log" 9>&- >/dev/null 2>&1 &
  echo $! >"$2"
  wait_until "$CA_READY_TIMEOUT_SECONDS" proxy_ready
}

# Envoy's graceful drain: listeners keep accepting with `Connection: close` for the drain time, then close.
envoy_quit() { # pidfile
  local pid
  pid=$(pid_of "$1") || return 0
  curl -fsS -o /dev/null --max-time 2 -X POST "http://127.0.0.1:$CA_ADMIN_PORT/drain_listeners?graceful" 2>/dev/null ||
    log "envoy did not accept the drain request; stopping it"
  sleep "$CA_ENVOY_DRAIN_SECONDS"
  kill -TERM "$pid" 2>/dev/null
  wait_until "$CA_DRAIN_SECONDS" pid_gone "$1" || kill -KILL "$pid" 2>/dev/null
  rm -f "$1"
}

# Drains every agent proxy on the host, whatever its role.
proxy_quit() {
  local pidfile
  for pidfile in "$ENVOY_PID" "$ROUTING_ENVOY_PID"; do
    if pid_alive "$pidfile"; then envoy_quit "$pidfile"; fi
  done
  for pidfile in "$MIRROR_NGINX_PID" "$ROUTING_NGINX_PID"; do
    if pid_alive "$pidfile"; then nginx_quit "$pidfile"; fi
  done
  rm -f "$MIRROR_NGINX_PID" "$ENVOY_PID" "$ROUTING_NGINX_PID" "$ROUTING_ENVOY_PID"
}

# The hand-off from the host's nginx to the agent's proxy, whose configuration waits in CONF.new: the proxy
# binds the live port beside nginx (SO_REUSEPORT), is confirmed ready, and only then does nginx drain
# (SIGQUIT). Any failure before that leaves nginx serving alone. Sets HANDOFF_MS.
take_over_from_nginx() { # role driver conf pidfile
  local role=$1 driver=$2 conf=$3 pidfile=$4 out started
  pid_alive "$CA_NGINX_PID" || fail "the host's nginx is not running ($CA_NGINX_PID), so there is nothing to hand over"
  stable_nginx_reuseport ||
    fail "nginx ($CA_NGINX_CONF) does not listen on port $LISTEN_PORT with reuseport, so no second proxy can bind it: add 'reuseport' to that listen directive"
  if [ "$driver" = envoy ]; then
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
  nginx_quit "$CA_NGINX_PID"
  HANDOFF_MS=$((($(date +%s%N) - started) / 1000000))
}

# A running agent nginx takes the configuration waiting in CONF.new: SIGHUP keeps its master and listening
# sockets and starts new workers. Undone by putting the previous file back and reloading again.
nginx_reload_with() { # role conf pidfile
  local role=$1 conf=$2 pidfile=$3 out master
  out=$(nginx_test "$conf.new") || fail "the new $role nginx configuration does not validate: $out"
  cp "$conf" "$conf.previous" && mv "$conf.new" "$conf" || fail "cannot replace $conf"
  on_undo "mv '$conf.previous' '$conf' && kill -HUP \"\$(pid_of '$pidfile')\""
  master=$(pid_of "$pidfile")
  RELOADED_WORKERS=$(ps -o pid= --ppid "$master" 2>/dev/null | tr -s ' \n' ' ')
  kill -HUP "$master" || fail "cannot reload the $role nginx"
}

# After a reload the old workers still serve, with the old configuration, the connections they hold and those
# already queued on their sockets; the change is complete for everyone once they have exited.
old_workers_gone() {
  local pid
  for pid in $RELOADED_WORKERS; do
    [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && return 1
  done
  return 0
}

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
# The AWS CLI reads secrets and ECR passwords; the ECR credential helper, when the service chooses it.
: "${CA_AWS:=aws}"
: "${CA_ECR_HELPER:=docker-credential-ecr-login}"
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
# Where the host's nginx logs each request; the agent's proxies keep logging there (hosts/access-log.ts).
: "${CA_ACCESS_LOG:=/var/log/nginx/access.log}"
: "${CA_HEALTH_TIMEOUT_SECONDS:=90}"
: "${CA_READY_TIMEOUT_SECONDS:=20}"
# At least the load balancer's idle timeout (an ALB's default is 60 s): see docs/hand-offs.md.
: "${CA_DRAIN_SECONDS:=65}"
: "${CA_CONTAINER_HOST_ADDRESS:=127.0.0.1}"
# Empty: leave the kernel's setting alone (hosts/scripts/lib-nginx.sh, migrate_queued_connections).
: "${CA_TCP_MIGRATE_REQ=/proc/sys/net/ipv4/tcp_migrate_req}"

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

# Renders a template from hosts/templates: each @@NAME@@ becomes the value of shell variable NAME. The value is
# quoted: unquoted, bash 5.2 would take its `&` for the match and its `\` for an escape (a regex's `\.`).
render_template() {
  local out=$1 name
  while [[ $out =~ @@([A-Z_]+)@@ ]]; do
    name=${BASH_REMATCH[1]}
    [ -n "${!name+x}" ] || { log "template variable $name is not set"; return 1; }
    out=${out//"@@${name}@@"/"${!name}"}
  done
  printf '%s' "$out"
}

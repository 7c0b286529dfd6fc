# nginx, and how a proxy drains before it stops (docs/hand-offs.md). Needs lib.sh; inlined into each document
# by hosts/build-documents.ts.

# ---- nginx -------------------------------------------------------------------------------------------------

nginx_test() { "$CA_NGINX" -t -q -c "$1" 9>&- 2>&1; }

# nginx binds its listening sockets before it returns, so once the master's pid is alive the port is held. A
# drain switch left behind by an interrupted run would make it close every connection, so it goes first.
nginx_start() { # conf pidfile
  rm -f "$2.draining"
  "$CA_NGINX" -c "$1" 9>&- >/dev/null 2>&1 || return 1
  wait_until "$CA_READY_TIMEOUT_SECONDS" pid_alive "$2"
}

# SIGQUIT: the listening sockets close at once, requests in flight finish (nginx's graceful shutdown), and
# connections idle in keep-alive close at once: nginx_drain first, so that none is left for a client to reuse.
nginx_quit() { # pidfile
  local pid
  pid=$(pid_of "$1") || return 0
  migrate_queued_connections
  kill -QUIT "$pid" 2>/dev/null || return 0
  wait_until "$CA_DRAIN_SECONDS" pid_gone "$1" || log "nginx $pid still draining after ${CA_DRAIN_SECONDS}s (its listeners are closed)"
  rm -f "$1.draining"
}

nginx_workers() { ps -o pid= --ppid "$(pid_of "$1")" 2>/dev/null | tr -s ' \n' ' '; }

# The drain (docs/hand-offs.md): the file next to the pid file turns on the configuration's drain switch, so
# every response says `Connection: close` and nginx closes after it; then wait for the connections its workers
# hold to close, which an idle client does after its own idle timeout at the latest (CA_DRAIN_SECONDS bounds it).
# Meanwhile the file lists the clients awaited.
nginx_drain() { # pidfile
  : >"$1.draining" || { log "cannot create $1.draining; nginx stops without draining"; return 1; }
  drain_connections "nginx $(pid_of "$1")" "$1.draining" $(nginx_workers "$1")
}

# The host's nginx drains only if its configuration has the switch (hosts/nginx-config.ts, `drainable`).
stable_nginx_drainable() { grep -Fq -- "-f $CA_NGINX_PID.draining)" <<<"$STABLE_NGINX_DUMP"; }

# Not a pipe: `grep -q` stops reading early, and pipefail would count nginx's SIGPIPE as a failure.
stable_nginx_reuseport() {
  STABLE_NGINX_DUMP=$("$CA_NGINX" -T -q -c "$CA_NGINX_CONF" 9>&- 2>/dev/null) || return 1
  grep -Eq "^[[:space:]]*listen[[:space:]]+([^;[:space:]]*:)?${LISTEN_PORT}([[:space:]][^;]*)?[[:space:]]reuseport" <<<"$STABLE_NGINX_DUMP"
}

# ---- draining ----------------------------------------------------------------------------------------------

# A listener that closes resets the connections queued on it that its process has not accepted yet. With
# net.ipv4.tcp_migrate_req (Linux 5.14+) the kernel moves them to another listener of the same reuseport group
# instead: the proxy that takes over. Turned on once per host; without it a few new connections can be reset.
migrate_queued_connections() {
  local knob=$CA_TCP_MIGRATE_REQ
  [ -n "$knob" ] && [ -e "$knob" ] || return 0
  [ "$(cat "$knob" 2>/dev/null)" != 1 ] || return 0
  if echo 1 2>/dev/null >"$knob"; then
    log "turned on net.ipv4.tcp_migrate_req: connections queued on a closing listener move to the new proxy"
  else
    log "cannot turn on net.ipv4.tcp_migrate_req; a new connection queued on the old proxy's listener as it closes is reset"
  fi
}

# The clients (address:port) of the established connections on the live port that the given processes hold.
peers_of() { # pid...
  local pids=" $* " peer users
  ss -Htnp state established "( sport = :$LISTEN_PORT )" 2>/dev/null | while read -r _ _ _ peer users; do
    [[ $users =~ pid=([0-9]+), ]] && [[ $pids == *" ${BASH_REMATCH[1]} "* ]] && printf '%s\n' "$peer"
  done
}

# Waits until every connection the processes hold now has closed, or CA_DRAIN_SECONDS have passed, and keeps the
# clients still awaited in FILE (an operator's `cat`). Connections they accept meanwhile are left out: the drain
# switch closes each after its first response.
drain_connections() { # what file pid...
  local what=$1 file=$2 held previous="" deadline=$((SECONDS + CA_DRAIN_SECONDS))
  shift 2
  held=$(peers_of "$@" | sort)
  while [ -n "$held" ]; do
    [ "$held" = "$previous" ] || printf '%s\n' "$held" >"$file"
    previous=$held
    held=$(comm -12 <(printf '%s\n' "$held") <(peers_of "$@" | sort))
    [ -n "$held" ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$what: $(wc -l <<<"$held") connection(s) still open after ${CA_DRAIN_SECONDS}s of draining; closing them"
      return 0
    fi
    sleep 0.05
  done
  : >"$file"
}

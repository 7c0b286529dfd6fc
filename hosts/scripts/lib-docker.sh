# The service containers (lib.sh first). Inlined into each document by hosts/build-documents.ts.

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

# Ends the run with nothing changed when the container status says REF runs and it passes its health check, so a
# command that is delivered twice does its work once.
succeed_if_running() { # status ref what
  if [ "$1" = "true $2" ] && wait_healthy; then succeed false "$3"; fi
}

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

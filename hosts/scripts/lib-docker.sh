# The service containers (lib.sh first). Inlined into each document by hosts/build-documents.ts.

# ---- docker ------------------------------------------------------------------------------------------------

# Go templates for `docker inspect`, spelled so that no SSM parameter placeholder appears in the document.
LB='{''{'
RB='}''}'

container_status() { # name -> "true|false image" or nothing
  "$CA_DOCKER" inspect --format "${LB}.State.Running${RB} ${LB}.Config.Image${RB}" "$1" 2>/dev/null
}
container_exists() { [ -n "$(container_status "$1")" ]; }
# Done when NAME is gone, whether this removed it or a failed `docker run` never created it.
remove_container() { "$CA_DOCKER" rm -f "$1" >/dev/null 2>&1 || ! container_exists "$1"; }

# The last line of a command's error output, shortened: the reason a failure summary gives.
reason_of() { # text
  local line=${1%$'\n'}
  line=${line##*$'\n'}
  printf '%s' "${line:0:300}"
}

# Pulls REF unless the host has it, after the registry login the service configured (image.registryLogin). A
# failed pull ends the run with the registry's own reason.
ensure_image() { # ref
  "$CA_DOCKER" image inspect "$1" >/dev/null 2>&1 && return 0
  registry_login "$1"
  log "pulling $1"
  local out
  out=$("$CA_DOCKER" pull "$1" 2>&1 >/dev/null 9>&-) && return 0
  printf '%s\n' "$out" >&2
  fail "cannot pull $1: $(reason_of "$out")"
}

# 123456789012.dkr.ecr.eu-west-1.amazonaws.com -> eu-west-1
ecr_region() { # registry
  [[ $1 =~ ^[0-9]{12}\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$ ]] || return 1
  printf '%s' "${BASH_REMATCH[2]}"
}

registry_login() { # ref
  local registry=${1%%/*} region out
  case "$REGISTRY_LOGIN" in
    ecr-credential-helper)
      command -v "$CA_ECR_HELPER" >/dev/null 2>&1 ||
        fail "image.registryLogin is ecr-credential-helper, but $CA_ECR_HELPER is not installed on this host (examples/host-bootstrap.sh installs it)"
      ;;
    aws-cli)
      region=$(ecr_region "$registry") || fail "image.registryLogin is aws-cli, but $registry is not an ECR registry"
      command -v "$CA_AWS" >/dev/null 2>&1 || fail "image.registryLogin is aws-cli, but the AWS CLI ($CA_AWS) is not installed on this host"
      # The password goes from one process to the other through a pipe: never an argument, never in the output.
      out=$({ "$CA_AWS" ecr get-login-password --region "$region" |
        "$CA_DOCKER" login --username AWS --password-stdin "$registry"; } 2>&1 >/dev/null 9>&-) ||
        fail "cannot log in to $registry: $(reason_of "$out")"
      ;;
  esac
}

# The service's container settings, appended to RUN_ARGS: each item has passed its parameter's pattern and becomes
# one argument (an array, never evaluated). Environment values arrive base64-encoded and may hold any character.
container_settings() {
  local items=() entry value
  [ -z "$CONTAINER_USER" ] || RUN_ARGS+=(--user "$CONTAINER_USER")
  [ -z "$MEMORY" ] || RUN_ARGS+=(--memory "${MEMORY}m")
  [ -z "$CPUS" ] || RUN_ARGS+=(--cpus "$CPUS")
  # The command's words arrive comma-separated: no parameter holds a space.
  [ -z "$HEALTH_COMMAND" ] || RUN_ARGS+=(--health-cmd "${HEALTH_COMMAND//,/ }")
  if [ -n "$LOG_DRIVER" ]; then
    RUN_ARGS+=(--log-driver "$LOG_DRIVER")
    IFS=, read -ra items <<<"$LOG_OPTIONS"
    for entry in ${items[@]+"${items[@]}"}; do RUN_ARGS+=(--log-opt "$entry"); done
  fi
  IFS=, read -ra items <<<"$VOLUMES"
  for entry in ${items[@]+"${items[@]}"}; do RUN_ARGS+=(--volume "$entry"); done
  IFS=, read -ra items <<<"$DOCKER_OPTIONS"
  RUN_ARGS+=(${items[@]+"${items[@]}"})
  IFS=, read -ra items <<<"$ENVIRONMENT"
  for entry in ${items[@]+"${items[@]}"}; do
    value=$(printf '%s' "${entry#*=}" | base64 -d 2>/dev/null) || fail "environment ${entry%%=*}: not base64"
    RUN_ARGS+=(--env "${entry%%=*}=$value")
  done
}

# The value of a secret: an SSM parameter (name or ARN, decrypted) or a Secrets Manager secret (ARN).
read_secret() { # reference
  local region=()
  [[ $1 =~ ^arn:aws[a-z-]*:[a-z]+:([a-z0-9-]+): ]] && region=(--region "${BASH_REMATCH[1]}")
  case "$1" in
    arn:aws*:secretsmanager:*)
      "$CA_AWS" secretsmanager get-secret-value --secret-id "$1" ${region[@]+"${region[@]}"} --query SecretString --output text
      ;;
    *) "$CA_AWS" ssm get-parameter --name "$1" --with-decryption ${region[@]+"${region[@]}"} --query Parameter.Value --output text ;;
  esac
}

# Reads each secret into a file only this user can read, for docker run's --env-file: no value reaches a command
# line, this script's output or its log. The caller removes the file once docker has read it (and so does undo).
write_secrets() {
  SECRETS_FILE=
  [ -n "$SECRETS" ] || return 0
  local items=() entry name ref value errors why
  SECRETS_FILE=$(umask 077 && mktemp "$CA_RUN_DIR/secrets.XXXXXX") || fail "cannot create a secrets file in $CA_RUN_DIR"
  on_undo "rm -f '$SECRETS_FILE'"
  errors=$(umask 077 && mktemp "$CA_RUN_DIR/secrets-errors.XXXXXX") || fail "cannot create a file in $CA_RUN_DIR"
  IFS=, read -ra items <<<"$SECRETS"
  for entry in "${items[@]}"; do
    name=${entry%%=*} ref=${entry#*=}
    if ! value=$(read_secret "$ref" 2>"$errors" 9>&-); then
      why=$(cat "$errors") && rm -f "$errors"
      fail "cannot read secret $name from $ref (does the instance role allow it?): $(reason_of "$why")"
    fi
    [[ $value != *$'\n'* ]] || { rm -f "$errors"; fail "secret $name ($ref) has more than one line: mount it as a file instead"; }
    printf '%s=%s\n' "$name" "$value" >>"$SECRETS_FILE" || fail "cannot write the secrets file"
  done
  rm -f "$errors"
  RUN_ARGS+=(--env-file "$SECRETS_FILE")
}

# Runs REF as container NAME with the service's settings; a failure ends the run with Docker's own reason.
container_run() { # name ref
  RUN_ARGS=(run -d --name "$1" --restart unless-stopped --label "canary-agent.release=$RELEASE_ID"
    -p "$CA_CONTAINER_HOST_ADDRESS:$HOST_PORT:$CONTAINER_PORT")
  container_settings
  write_secrets
  local out rc=0
  out=$("$CA_DOCKER" "${RUN_ARGS[@]}" "$2" 2>&1 >/dev/null 9>&-) || rc=$?
  [ -z "$SECRETS_FILE" ] || rm -f "$SECRETS_FILE"
  [ "$rc" -eq 0 ] && return 0
  printf '%s\n' "$out" >&2
  fail "cannot start $2 on port $HOST_PORT: $(reason_of "$out")"
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
  ensure_image "$2"
  set_aside "$1"
  on_undo "remove_container '$1'"
  container_run "$1" "$2"
  wait_healthy || fail "$2 failed its health check $HEALTH_PATH on port $HOST_PORT within ${CA_HEALTH_TIMEOUT_SECONDS}s"
  "$CA_DOCKER" rm -f "$1-replaced" >/dev/null 2>&1
}

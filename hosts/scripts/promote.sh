# promote: replace PreviousVersion with Version on a stable host, keeping the previous container (stopped) as
# $SERVICE-previous so that restoreStable can bring it back without a registry.
NAME="$SERVICE"
KEEP="$SERVICE-previous"
REF="$IMAGE:$VERSION"
PREVIOUS_REF="$IMAGE:$PREVIOUS_VERSION"
HOST_PORT="${CA_HOST_PORT:-$CONTAINER_PORT}"

take_lock
recover_replaced "$NAME"
mirror_running && fail "the host is still mirroring through $(mirror_driver); stop mirroring before promoting"

status=$(container_status "$NAME")
succeed_if_running "$status" "$REF" "$REF already running and healthy"
[ -n "$status" ] || fail "no container $NAME on this host"
current=${status#* }
[ "$current" = "$PREVIOUS_REF" ] || [ "$current" = "$REF" ] ||
  fail "host runs $current, expected $PREVIOUS_REF; refusing to replace an unknown version"

ensure_image "$REF"
if container_exists "$KEEP"; then
  "$CA_DOCKER" rename "$KEEP" "$KEEP-old" || fail "cannot rename $KEEP"
  on_undo "\"\$CA_DOCKER\" rename '$KEEP-old' '$KEEP'"
fi
"$CA_DOCKER" rename "$NAME" "$KEEP" || fail "cannot rename $NAME"
on_undo "\"\$CA_DOCKER\" rename '$KEEP' '$NAME'"
if [ "${status%% *}" = true ]; then
  "$CA_DOCKER" stop "$KEEP" >/dev/null || fail "cannot stop $KEEP"
  on_undo "\"\$CA_DOCKER\" start '$KEEP' >/dev/null"
fi
on_undo "remove_container '$NAME'"
container_run "$NAME" "$REF"
wait_healthy || fail "$REF failed its health check $HEALTH_PATH on port $HOST_PORT within ${CA_HEALTH_TIMEOUT_SECONDS}s"
"$CA_DOCKER" rm -f "$KEEP-old" >/dev/null 2>&1
printf '%s\n' "$PREVIOUS_VERSION" >"$SERVICE_DIR/previous-version"
succeed true "$REF running and healthy; $current kept as $KEEP"

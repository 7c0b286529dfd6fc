# removeCanary: remove the canary container (clean-up); nothing to do when it is already gone.
NAME="$SERVICE-canary"

take_lock
removed=false
for name in "$NAME" "$NAME-replaced"; do
  if container_exists "$name"; then
    "$CA_DOCKER" rm -f "$name" >/dev/null || fail "cannot remove container $name"
    removed=true
  fi
done
if [ "$removed" = true ]; then succeed true "canary container removed"; fi
succeed false "no canary container to remove"

# The live routing lists (domain/routing-lists.ts) on a host: the files the routing nginx includes and the regexes
# of the routing Envoy's routes, made exactly as hosts/routing-lists.ts makes them (test/hosts/routing-proxy-lists*.test.ts
# compare). Needs lib.sh. Every entry has passed the documents' allowedPattern: letters, digits, `_ - = . /`.

ROUTING_LISTS_ENV="$SERVICE_DIR/routing-lists.env"
ROUTING_LISTS_ROOT="$SERVICE_DIR/routing-lists"
ROUTING_ENVOY_ROUTES="$SERVICE_DIR/routing-routes.json"
# RE2 and JavaScript both read this as a regex that matches nothing: the routes of an empty list never apply.
MATCHES_NOTHING='\b\B'

# A list a host got from a live change outranks an older one that a step was sent with (the step read the list
# before the change was written): list by list, the higher parameter version wins. Called only while routing: a
# new hand-off starts from the lists it was sent.
keep_newest_lists() {
  local name held version
  [ -s "$ROUTING_LISTS_ENV" ] || return 0
  for name in VIP TESTER; do
    version=$(sed -n "s/^${name}_LIST_VERSION=//p" "$ROUTING_LISTS_ENV")
    held=$(sed -n "s/^${name}_LIST=//p" "$ROUTING_LISTS_ENV")
    [[ $version =~ ^[0-9]{1,10}$ && $held =~ ^[A-Za-z0-9_.,=/-]*$ ]] || continue
    local sent="${name}_LIST_VERSION"
    if [ "$version" -gt "${!sent}" ]; then
      log "keeping the ${name,,} list this host got in version $version over the older version ${!sent} sent now"
      printf -v "${name}_LIST" '%s' "$held"
      printf -v "${name}_LIST_VERSION" '%s' "$version"
    fi
  done
}

record_lists() {
  printf 'VIP_LIST=%s\nVIP_LIST_VERSION=%s\nTESTER_LIST=%s\nTESTER_LIST_VERSION=%s\n' \
    "$VIP_LIST" "$VIP_LIST_VERSION" "$TESTER_LIST" "$TESTER_LIST_VERSION" >"$ROUTING_LISTS_ENV"
}

# The entries of one kind in a comma-separated list, one a line: user ids, cookies (name=value), networks.
list_entries() { # list kind
  local entry kind entries=()
  [ -n "$1" ] && IFS=, read -r -a entries <<<"$1"
  for entry in "${entries[@]}"; do
    case $entry in
      *=*) kind=cookie ;;
      *.*) kind=network ;;
      *) kind=user ;;
    esac
    if [ "$kind" = "$2" ]; then printf '%s\n' "$entry"; fi
  done
  return 0
}

list_size() { # list
  local entries=()
  [ -z "$1" ] || IFS=, read -r -a entries <<<"$1"
  echo "${#entries[@]}"
}

# Both lists' folder name: a hash of them, so that new lists are a new folder and a new configuration.
lists_id() { printf '%s\n%s\n' "$VIP_LIST" "$TESTER_LIST" | sha256sum | cut -c1-16; }

# The routing nginx's list files (hosts/routing-lists.ts nginxListFiles), made in a temporary folder and moved
# into place whole; a folder already there has these very lists.
write_nginx_lists() { # dir
  local dir=$1 tmp name list entry
  [ -d "$dir" ] && return 0
  mkdir -p "$ROUTING_LISTS_ROOT" && tmp=$(mktemp -d "$ROUTING_LISTS_ROOT/.new.XXXXXX") || return 1
  for name in vips testers; do
    if [ "$name" = vips ]; then list=$VIP_LIST; else list=$TESTER_LIST; fi
    # A key starting with `\` is never taken for one of map's own parameters (`default`, `include`, ...).
    list_entries "$list" user | while read -r entry; do printf '\\%s 1;\n' "$entry"; done >"$tmp/$name-users.map"
    list_entries "$list" cookie | while read -r entry; do
      printf '"~(?:^|[;,]\\s*)%s(?:[;,]|$)" 1;\n' "$entry"
    done >"$tmp/$name-cookies.map"
    list_entries "$list" network | while read -r entry; do printf '%s 1;\n' "$entry"; done >"$tmp/$name-networks.geo"
  done
  chmod 755 "$tmp" && mv "$tmp" "$dir"
}

# After a change: only the folder the configuration names now stays.
prune_nginx_lists() { # dir kept
  local dir
  for dir in "$ROUTING_LISTS_ROOT"/*; do
    if [ -d "$dir" ] && [ "$dir" != "$1" ]; then rm -rf "$dir"; fi
  done
  return 0
}

# `u-1a` -> `[uU]-1[aA]`: an id in any case (hosts/routing-lists.ts caseless).
caseless() {
  local i c out=""
  for ((i = 0; i < ${#1}; i++)); do
    c=${1:i:1}
    if [[ $c == [A-Za-z] ]]; then out+="[${c,,}${c^^}]"; else out+=$c; fi
  done
  printf '%s' "$out"
}

# `10.1.64.0/18` -> `10\.1\.(?:64|65|...|127)\.[0-9]{1,3}` (hosts/routing-lists.ts networkRegex).
network_regex() {
  local prefix=32 i bits size low n part out="" octets=()
  [[ $1 == */* ]] && prefix=${1#*/}
  IFS=. read -r -a octets <<<"${1%/*}"
  for i in 0 1 2 3; do
    bits=$((prefix - i * 8))
    ((bits > 8)) && bits=8
    ((bits < 0)) && bits=0
    if ((bits == 8)); then
      part=${octets[i]}
    elif ((bits == 0)); then
      part='[0-9]{1,3}'
    else
      size=$((1 << (8 - bits)))
      low=$((octets[i] - octets[i] % size))
      part="(?:$low"
      for ((n = low + 1; n < low + size; n++)); do part+="|$n"; done
      part+=')'
    fi
    if ((i > 0)); then out+='\.'; fi
    out+=$part
  done
  printf '%s' "$out"
}

# One list as the routing Envoy's regexes (hosts/routing-lists.ts listMatchers), JSON-escaped for the routes
# file: sets <NAME>_COOKIE_REGEX, <NAME>_HEADER_REGEX and <NAME>_CLIENT_REGEX.
list_regexes() { # list NAME
  local users ids="" pairs cookie="" client="" entry
  users=$(list_entries "$1" user | while read -r entry; do caseless "$entry"; echo; done | paste -sd '|')
  [ -z "$users" ] || ids="(?:$users)"
  pairs=${ids:+$STICKY_COOKIE=$ids}
  while read -r entry; do pairs+=${pairs:+|}$entry; done < <(list_entries "$1" cookie)
  [ -z "$pairs" ] || cookie="^(?:.*[;,])?\\s*(?:$pairs)\\s*(?:[;,].*)?\$"
  while read -r entry; do client+=${client:+|}$(network_regex "$entry"); done < <(list_entries "$1" network)
  cookie=${cookie:-$MATCHES_NOTHING} ids=${ids:-$MATCHES_NOTHING} client=${client:-$MATCHES_NOTHING}
  printf -v "$2_COOKIE_REGEX" '%s' "${cookie//\\/\\\\}"
  printf -v "$2_HEADER_REGEX" '%s' "${ids//\\/\\\\}"
  printf -v "$2_CLIENT_REGEX" '%s' "${client//\\/\\\\}"
}

# The routes file in ROUTING_ENVOY_ROUTES.new, its version the hash of the rest (hosts/routing-envoy-routes.ts).
write_envoy_routes() {
  local routes
  list_regexes "$VIP_LIST" VIP
  list_regexes "$TESTER_LIST" TESTER
  ROUTES_VERSION=''
  routes=$(render_template "$ROUTING_ENVOY_ROUTES_TEMPLATE") || return 1
  ROUTES_VERSION=$(printf '%s\n' "$routes" | sha256sum | cut -c1-16)
  render_template "$ROUTING_ENVOY_ROUTES_TEMPLATE" >"$ROUTING_ENVOY_ROUTES.new"
}

# Envoy reloads its routes file when a new one is moved over it; its admin API then names the new version.
envoy_serves_routes() {
  local dump
  dump=$(curl -fsS --max-time 2 "http://127.0.0.1:$CA_ADMIN_PORT/config_dump?resource=dynamic_route_configs" 2>/dev/null)
  [[ $dump =~ \"version_info\":\ ?\"$ROUTES_VERSION\" ]]
}

swap_envoy_routes() {
  cp "$ROUTING_ENVOY_ROUTES" "$ROUTING_ENVOY_ROUTES.previous" || return 1
  on_undo "mv '$ROUTING_ENVOY_ROUTES.previous' '$ROUTING_ENVOY_ROUTES'"
  mv "$ROUTING_ENVOY_ROUTES.new" "$ROUTING_ENVOY_ROUTES" || return 1
  wait_until "$CA_READY_TIMEOUT_SECONDS" envoy_serves_routes
}

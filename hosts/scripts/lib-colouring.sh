# The colouring rules (domain/colouring.ts): the ColourRules parameter as the routing nginx's maps (COLOUR_MAPS) and
# Envoy's routes (COLOUR_ROUTES), exactly as hosts/colouring.ts makes them (test/hosts/routing-proxy-colouring*).

# Without instance metadata (tests, the sandbox) a host names its zone; CA_IMDS is where IMDS answers.
: "${CA_AVAILABILITY_ZONE:=}" "${CA_IMDS:=http://169.254.169.254}"

# The templates carry their per-rule parts after `@@@@` lines (hosts/templates.ts TEMPLATE_PART).
split_template() { # NAME FIRST SECOND
  local part=$'\n@@@@\n' text=${!1}
  printf -v "$1" '%s' "${text%%"$part"*}"
  text=${text#*"$part"}
  printf -v "$2" '%s' "${text%%"$part"*}"
  printf -v "$3" '%s' "${text#*"$part"}"
}
split_template ROUTING_NGINX_TEMPLATE NGINX_COLOUR_MAP NGINX_COLOUR_END
split_template ROUTING_ENVOY_ROUTES_TEMPLATE ENVOY_COLOUR_STABLE ENVOY_COLOUR_NEW

# One rule's matchers (hosts/colouring.ts colourMatchers); COLOUR_RE JSON-escaped.
colour_matcher() { # rule place zone
  local rule=${1%:stable} kind what name value re
  COLOUR_ROUTE=new
  [ "$rule" = "$1" ] || COLOUR_ROUTE=stable
  [[ $rule =~ ^[A-Za-z]+:[A-Za-z0-9_.=-]+$ ]] || return 1
  kind=${rule%%:*} what=${rule#*:}
  name=${what%%=*} value=${what#*=} re=${what//./\\.}
  COLOUR_SOURCE='$host' COLOUR_HEADER=:authority COLOUR_REGEX=$value COLOUR_RE=$value
  case $kind in
    header) COLOUR_SOURCE="\$http_$(header_variable "$name")" COLOUR_HEADER=$name ;;
    cookie)
      COLOUR_SOURCE='$http_cookie' COLOUR_HEADER=cookie COLOUR_REGEX="(?:.*[;,])?\\s*$name=$value\\s*(?:[;,].*)?"
      COLOUR_RE=$COLOUR_REGEX
      ;;
    host) COLOUR_REGEX=$re COLOUR_RE="(?i)$re(?::[0-9]+)?" ;;
    hostPrefix) kind=host-prefix COLOUR_REGEX="$re.*" COLOUR_RE="(?i)$re.*" ;;
    # nginx compares the host's zone as a constant; Envoy matches every request here, or none.
    zone)
      COLOUR_SOURCE="\"$3\"" COLOUR_HEADER=:path COLOUR_REGEX=$what COLOUR_RE=$MATCHES_NOTHING
      [ "$what" != "$3" ] || COLOUR_RE='.*'
      ;;
    *) return 1 ;;
  esac
  COLOUR_NAME="colour-$2-$kind" COLOUR_RE=${COLOUR_RE//\\/\\\\}
}

# Each rule in order, then the map that ends nginx's chain. The zone is IMDSv2's (a token first): the script runs
# on the host, so the default hop limit of 1 does.
render_colour_rules() {
  local rules=() rule i=0 zone=$CA_AVAILABILITY_ZONE t
  COLOUR_MAPS='' COLOUR_ROUTES=''
  [ -z "$COLOUR_RULES" ] || IFS=, read -r -a rules <<<"$COLOUR_RULES"
  if [[ ,$COLOUR_RULES, == *,zone:* && -z $zone ]]; then
    t=$(curl -fsS -m 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$CA_IMDS/latest/api/token") &&
      zone=$(curl -fsS -m 2 -H "X-aws-ec2-metadata-token: $t" "$CA_IMDS/latest/meta-data/placement/availability-zone")
    [[ $zone =~ ^[a-z]{2}(-[a-z0-9]+){2,6}$ ]] || fail "zone colouring needs the host's zone; IMDS gave '${zone:0:40}'"
  fi
  for rule in "${rules[@]}"; do
    i=$((i + 1))
    COLOUR_INDEX=$i COLOUR_NEXT=$((i + 1))
    colour_matcher "$rule" "$i" "$zone" || fail "cannot read colouring rule $i ($rule)"
    COLOUR_MAPS+=$(render_template "$NGINX_COLOUR_MAP")$'\n'
    if [ "$COLOUR_ROUTE" = new ]; then rule=$ENVOY_COLOUR_NEW; else rule=$ENVOY_COLOUR_STABLE; fi
    COLOUR_ROUTES+=$(render_template "$rule")
  done
  COLOUR_INDEX=$((i + 1))
  COLOUR_MAPS+=$(render_template "$NGINX_COLOUR_END")
}

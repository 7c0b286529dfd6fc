#!/usr/bin/env bash
# EC2 user-data for a host the Canary Agent manages (Amazon Linux 2023 or Ubuntu 22.04+), stable or canary alike:
# Docker with ECR pulls, the SSM Agent, nginx in the shape the hand-off needs (reuseport and the drain switch,
# docs/hand-offs.md), Envoy at a pinned version, and a check of the tags the agent finds hosts by.
#
# Tags are not set here: an instance that may tag itself may also make itself managed. Put them in the launch
# template (TagSpecifications, resource type instance), and allow tags in instance metadata so this script can
# check them:
#   canary-agent:managed = true                  the deploy parameter managedTagValue; IAM lets the agent touch no other
#   canary-agent:fleet   = orders-api-stable     the service configuration's fleets.*.tags (-canary, -blue, -green)
# The instance profile: AmazonSSMManagedInstanceCore, ECR pull on the service's repository, and logs:CreateLogStream
# and logs:PutLogEvents on /canary-agent/<stage>/host-operations (docs/deploy.md, hosts).
set -euo pipefail

# ---- what to change per service (the same values as its configuration) ------------------------------------
SERVICE=orders-api          # "service"
LISTEN_PORT=80              # proxy.listenPort: where the load balancer sends traffic
SERVICE_PORT=8080           # proxy.servicePort = image.containerPort, published on 127.0.0.1
TIMEOUT_SECONDS=60          # proxy.connectTimeoutSeconds, readTimeoutSeconds, sendTimeoutSeconds
HEALTH_PATH=/healthz        # image.healthPath
# The version the stable fleet runs now (the parameter /canary-agent/<stage>/versions/<service>), started as the
# container named after the service, which every release replaces. Empty on canary hosts: they wait for a release.
INITIAL_IMAGE=""            # e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:1.4.1
MANAGED_TAG_VALUE=true

# Envoy, for services with proxy.driver "envoy". The host scripts refuse anything older than 1.34; the 1.34 line
# ended with 1.34.14 (April 2026), and the rendered configurations are checked against the API of the 1.37 line,
# so 1.37 is pinned. Set the checksums published with the release to have the download verified.
ENVOY_VERSION=1.37.9
ENVOY_SHA256_X86_64=""
ENVOY_SHA256_AARCH_64=""

NGINX_CONF=/etc/nginx/nginx.conf
NGINX_PID=/run/nginx.pid    # the hand-off's drain switch is this path plus .draining
NGINX_TEMP=/var/lib/nginx/tmp

log() { printf 'canary-agent bootstrap: %s\n' "$*" >&2; }

install_packages() {
  if command -v dnf >/dev/null; then
    dnf install -y docker nginx iproute curl-minimal amazon-ecr-credential-helper
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q docker.io nginx iproute2 curl amazon-ecr-credential-helper
    # Ubuntu's AMIs carry the SSM Agent as a snap; install it where it is missing.
    systemctl list-unit-files | grep -q amazon-ssm-agent || snap install amazon-ssm-agent --classic
  fi
}

start_agents() {
  # Run Command runs as root, so root's Docker pulls from ECR through the instance profile.
  mkdir -p /root/.docker
  printf '{ "credsStore": "ecr-login" }\n' >/root/.docker/config.json
  systemctl enable --now docker
  local unit
  unit=$(systemctl list-unit-files --no-legend | awk '/amazon-ssm-agent/ { print $1; exit }')
  systemctl enable --now "${unit:-amazon-ssm-agent}"
}

install_envoy() {
  local arch sum url
  case "$(uname -m)" in
    x86_64) arch=x86_64 sum=$ENVOY_SHA256_X86_64 ;;
    aarch64) arch=aarch_64 sum=$ENVOY_SHA256_AARCH_64 ;;
    *) log "no Envoy build for $(uname -m): use proxy.driver nginx"; return 0 ;;
  esac
  url="https://github.com/envoyproxy/envoy/releases/download/v$ENVOY_VERSION/envoy-$ENVOY_VERSION-linux-$arch"
  curl -fsSL --retry 5 -o /usr/local/bin/envoy.download "$url"
  if [ -n "$sum" ]; then
    echo "$sum  /usr/local/bin/envoy.download" | sha256sum -c -
  else
    log "Envoy $ENVOY_VERSION downloaded without a checksum to compare (set ENVOY_SHA256_*)"
  fi
  chmod 0755 /usr/local/bin/envoy.download
  mv /usr/local/bin/envoy.download /usr/local/bin/envoy
  ln -sf /usr/local/bin/envoy /usr/bin/envoy
  envoy --version | grep -q "/$ENVOY_VERSION/" || { log "envoy --version does not name $ENVOY_VERSION"; return 1; }
}

# The host's nginx as hosts/nginx-config.ts (renderStableNginx) renders it, logging to the host's access log:
# `reuseport` lets the agent's proxy bind the port beside it, and the drain switch lets it close its clients'
# connections between requests before it stops. test/deploy/examples.test.ts holds the two to the same text.
render_nginx_conf() {
  local upstream="${SERVICE}_stable" body
  body="      proxy_pass http://$upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$canary_agent_forwarded_proto;
      proxy_connect_timeout ${TIMEOUT_SECONDS}s;
      proxy_read_timeout ${TIMEOUT_SECONDS}s;
      proxy_send_timeout ${TIMEOUT_SECONDS}s;"
  cat <<NGINX
# Rendered by canary-agent (hosts/nginx-config.ts): $SERVICE, nginx in front of the service.
worker_processes auto;
pid $NGINX_PID;
error_log /var/log/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log /var/log/nginx/access.log combined;
  client_body_temp_path $NGINX_TEMP/client_body;
  proxy_temp_path $NGINX_TEMP/proxy;
  fastcgi_temp_path $NGINX_TEMP/fastcgi;
  uwsgi_temp_path $NGINX_TEMP/uwsgi;
  scgi_temp_path $NGINX_TEMP/scgi;
  map \$http_x_forwarded_proto \$canary_agent_forwarded_proto {
    default \$http_x_forwarded_proto;
    "" \$scheme;
  }
  upstream $upstream {
    server 127.0.0.1:$SERVICE_PORT;
    keepalive 32;
  }
  server {
    listen 0.0.0.0:$LISTEN_PORT reuseport;
    location / {
      # canary-agent's drain switch (docs/hand-offs.md): while the file exists, close after each response.
      if (-f $NGINX_PID.draining) { return 418; }
      error_page 418 = @canary_agent_draining;
$body
    }
    location @canary_agent_draining {
      keepalive_timeout 0;
$body
    }
  }
}
NGINX
}

# The agent starts and stops this nginx itself during a release (never through systemd), so systemd must not
# restart it behind the agent's back: no Restart= in its unit.
start_nginx() {
  mkdir -p "$NGINX_TEMP" /var/log/nginx
  chown nobody "$NGINX_TEMP"
  render_nginx_conf >"$NGINX_CONF.canary-agent"
  nginx -t -q -c "$NGINX_CONF.canary-agent"
  mv "$NGINX_CONF.canary-agent" "$NGINX_CONF"
  systemctl enable nginx
  systemctl restart nginx
}

# The stable container is named after the service: the agent's scripts find, replace and restore it by that name.
start_service() {
  [ -n "$INITIAL_IMAGE" ] || return 0
  docker run -d --name "$SERVICE" --restart unless-stopped \
    -p "127.0.0.1:$SERVICE_PORT:$SERVICE_PORT" "$INITIAL_IMAGE" >/dev/null
  local tries=0
  until curl -fsS -o /dev/null "http://127.0.0.1:$SERVICE_PORT$HEALTH_PATH"; do
    tries=$((tries + 1))
    [ "$tries" -lt 90 ] || { log "$SERVICE did not answer $HEALTH_PATH within 90 s"; return 1; }
    sleep 1
  done
}

# Queued connections move to the new proxy in a hand-off (Linux 5.14+); the scripts set it too, this keeps it.
tune_kernel() {
  echo 'net.ipv4.tcp_migrate_req = 1' >/etc/sysctl.d/90-canary-agent.conf
  sysctl -q --system || log "kernel $(uname -r) has no tcp_migrate_req (needs 5.14): hand-offs may reset a queued connection"
}

check_tags() {
  local token managed
  token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) || return 0
  managed=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" \
    http://169.254.169.254/latest/meta-data/tags/instance/canary-agent:managed 2>/dev/null) ||
    { log "cannot read the instance's tags (allow tags in instance metadata to have them checked)"; return 0; }
  [ "$managed" = "$MANAGED_TAG_VALUE" ] ||
    log "tag canary-agent:managed is '$managed', not '$MANAGED_TAG_VALUE': the agent will not touch this host"
}

main() {
  install_packages
  start_agents
  install_envoy
  tune_kernel
  start_service
  start_nginx
  check_tags
  log "ready: nginx on port $LISTEN_PORT with reuseport and the drain switch, Envoy $ENVOY_VERSION, SSM Agent running"
}

# Sourced by the examples' test, which renders the nginx configuration alone.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi

import { accessLogPath, NGINX_ROUTED_FORMAT } from './access-log';
import { colourMatchers, colourVariable, nginxColourMaps } from './colouring';
import {
  drainable,
  forwardedHeaderLines,
  forwardedProtoMap,
  type NginxInstance,
  preamble,
  tempPaths,
  timeouts,
} from './nginx-config';
import { canaryEjection, headerVariable, type RoutingSettings, vipRules } from './routing-settings';

/**
 * The routing nginx's files: an instance, the log of requests it routed to the canary, and the failover log: one
 * line per request routed to the canary that stable served (the canary failed it, or was left out as failing).
 * Each failover line is a canary failure the canary's own load balancer never counts: the host's metric of it
 * (README, "Failovers") is a canary alarm. Both logs end each line with `tagged=1` when the request arrived
 * carrying the tag (an upstream service's proxy sent it on the new path), `tagged=0` when this proxy chose it: the
 * path metrics of a full-link release (docs/deploy.md, "Path counts").
 */
export interface RoutingNginxInstance extends NginxInstance {
  readonly canaryLog: string;
  readonly failoverLog: string;
  /**
   * The folder of the live lists' files (hosts/routing-lists.ts), named by their hash: new lists are a new
   * folder, so a change of lists is a change of this configuration, validated and reloaded like a new share.
   */
  readonly listsDir: string;
}

/**
 * `split_clients` line for the share: "10% 1" puts 10% of users in the share; it takes no "0%", so at 0 every
 * user falls in a bucket that is out of the share ("100% 0").
 */
export function shareSplit(percent: number): string {
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`canary percent ${percent} is not in [0, 100]`);
  const rounded = Math.round(percent * 100) / 100;
  return rounded > 0 ? `${rounded}% 1` : '100% 0';
}

/**
 * A second nginx that routes a share of users to the canary ELB and the rest to the local service:
 *
 *   user    = the sticky cookie, else the client address (the last X-Forwarded-For entry, which the ELB
 *             appends; behind an ELB $remote_addr is the ELB), else the peer
 *   route   = stable  if a VIP cookie=value or header=value is present, or the live VIP list names the user
 *                     (sticky cookie or VIP header), one of their cookies or their network (VIP wins over all)
 *             the first colouring rule that matches (`routing.colouring`, in order: a header's value, the
 *                     Host or its leading labels, a cookie, the host's Availability Zone): canary for a
 *                     `new` rule, stable for a `stable` one, whatever follows
 *             canary  if the tester header=value is present, or the live tester list names them, or the
 *                     request arrives tagged by an upstream service's routing proxy, or hash(user) falls in
 *                     the share (`split_clients`, MurmurHash2)
 *             stable  otherwise
 *
 * An entry service of a full-link release colours with its rules and share; a downstream one has neither (0%),
 * so only testers and the requests its callers tagged reach its canary.
 *
 * Raising the share keeps every user who was on the canary there (the buckets below 10% stay below 25%).
 * Requests sent to the canary carry the tag header; requests sent to stable lose it (a VIP's tag must not
 * send the next service's call to its canary). A canary that refuses, times out or answers 502/503/504 hands
 * the request to the local service (`backup`), and after `nginxMaxFails` such failures in 60 s it is left out
 * for 60 s; every canary-routed request is logged with its upstreams and statuses, so a failover shows as
 * "<canary>, <stable>" / "502, 200". Every request also goes to the host's access log, marked with its route.
 */
export function renderRoutingNginx(s: RoutingSettings, instance: RoutingNginxInstance): string {
  const percent = Math.round(s.canaryPercent * 100) / 100;
  return `# Rendered by canary-agent (hosts/routing-nginx.ts): ${s.service}, ${percent}% of users to ${s.canaryHost}.
${preamble(instance)}http {
  access_log off;
  # Each colouring rule is a variable more: past the default 1024 nginx warns that its hash is not optimal.
  variables_hash_max_size 2048;
${tempPaths(instance)}
${forwardedProtoMap}
  log_format canary_agent_routing '$time_iso8601 $status "$upstream_addr" "$upstream_status" $request_time "$request_method $request_uri" tagged=$canary_agent_tagged';
  log_format canary_agent_access '${NGINX_ROUTED_FORMAT}';
${userMaps(s)}
${listMaps(s, instance.listsDir)}
${routeMaps(s)}
${upstreams(s)}
  server {
    listen ${s.listenAddress}:${s.listenPort} reuseport;
    access_log ${accessLogPath(s.accessLog)} canary_agent_access;
    access_log ${instance.canaryLog} canary_agent_routing if=$canary_agent_log;
    access_log ${instance.failoverLog} canary_agent_routing if=$canary_agent_failover;
${drainable(instance, routedLocation(s))}
  }
  server {
    listen 127.0.0.1:${s.adminPort};
    location = /ready { return 200 "ready ${percent} ${instance.listsDir.split('/').at(-1)}\\n"; }
  }
}
`;
}

/** Who the user is, so they keep their bucket on every host: the sticky cookie, else the client address. */
function userMaps(s: RoutingSettings): string {
  return `  map $http_x_forwarded_for $canary_agent_client {
    "~(?<canary_agent_last>[^,\\s]+)\\s*$" $canary_agent_last;
    default $remote_addr;
  }
  map $http_cookie $canary_agent_user {
    "~(?:^|[;,]\\s*)${s.rules.stickyCookie}=(?<canary_agent_sticky>[^;,]+)" $canary_agent_sticky;
    default $canary_agent_client;
  }
  split_clients "\${canary_agent_user}" $canary_agent_in_share {
    ${shareSplit(s.canaryPercent)};
    * 0;
  }`;
}

/** Where each request goes: VIP wins over everything, then the colouring rules, testers, tagged requests, the share. */
function routeMaps(s: RoutingSettings): string {
  const r = s.rules;
  const vip = vipRules(r);
  const colours = nginxColourMaps(colourMatchers(r.colouring ?? [], s.availabilityZone));
  return `  map $http_cookie $canary_agent_vip_cookie {
    "~(?:^|[;,]\\s*)${vip.cookie}=${vip.cookieValue}(?:[;,]|$)" 1;
    default 0;
  }
  map $http_${headerVariable(vip.header)} $canary_agent_vip_header {
    "~^${vip.headerValue}$" 1;
    default 0;
  }
  map $http_${headerVariable(r.testerHeader)} $canary_agent_tester {
    "~^${r.testerValue}$" 1;
    default 0;
  }
  map $http_${headerVariable(r.tagHeader)} $canary_agent_tagged {
    "~^${r.tagValue}$" 1;
    default 0;
  }
${colours}
  # Not a VIP: a colouring rule's verdict, else a tester, tagged upstream or in the share goes to the canary.
  map "${flags('vip', '$canary_agent_vip_cookie$canary_agent_vip_header')}:${colourVariable(1)}:${flags('tester', '$canary_agent_tester')}$canary_agent_tagged$canary_agent_in_share" $canary_agent_route {
    "~^0+:new:" canary;
    "~^0+::.*1" canary;
    default stable;
  }
  map $canary_agent_route $canary_agent_tag {
    canary ${r.tagValue};
    default "";
  }
  map $canary_agent_route $canary_agent_log {
    canary 1;
    default 0;
  }
  # Routed to the canary, answered by another upstream: the last address nginx tried is not the canary's.
  map "$canary_agent_route $upstream_addr" $canary_agent_failover {
    "~^canary .*${regexLiteral(s.canaryHost)}:${s.canaryPort}$" 0;
    "~^canary " 1;
    default 0;
  }`;
}

/** A list's flags after the configured rule's: listed by user, by the list's header, by cookie, by network. */
const flags = (list: 'vip' | 'tester', configured: string) =>
  `${configured}${['user', 'header', 'cookie', 'network'].map((by) => `$canary_agent_${list}_listed_${by}`).join('')}`;

/**
 * The live lists (domain/routing-lists.ts), each file included from `dir`: users by the sticky cookie's value or
 * by the list's header (the VIP header, the tester header), cookies as regexes on the Cookie header, networks by
 * the client address.
 */
function listMaps(s: RoutingSettings, dir: string): string {
  const headers = { vip: vipRules(s.rules).header, tester: s.rules.testerHeader };
  const maps = (['vip', 'tester'] as const).map((name) => {
    const file = `${dir}/${name}s`;
    return `  map $canary_agent_sticky_id $canary_agent_${name}_listed_user {
    include ${file}-users.map;
    default 0;
  }
  map $http_${headerVariable(headers[name])} $canary_agent_${name}_listed_header {
    include ${file}-users.map;
    default 0;
  }
  map $http_cookie $canary_agent_${name}_listed_cookie {
    include ${file}-cookies.map;
    default 0;
  }
  geo $canary_agent_client $canary_agent_${name}_listed_network {
    include ${file}-networks.geo;
    default 0;
  }`;
  });
  return `  map $http_cookie $canary_agent_sticky_id {
    "~(?:^|[;,]\\s*)${s.rules.stickyCookie}=(?<canary_agent_sticky_id_value>[^;,]+)" $canary_agent_sticky_id_value;
    default "";
  }
${maps.join('\n')}`;
}

/** The canary hands a failed request to the local service (`backup`) and is left out while it keeps failing. */
function upstreams(s: RoutingSettings): string {
  const ejection = `max_fails=${canaryEjection.nginxMaxFails} fail_timeout=${canaryEjection.ejectionSeconds}s`;
  return `  upstream ${s.service}_stable {
    server ${s.upstreamAddress}:${s.servicePort};
    keepalive 32;
  }
  upstream ${s.service}_canary {
    server ${s.canaryHost}:${s.canaryPort} ${ejection};
    server ${s.upstreamAddress}:${s.servicePort} backup;
    keepalive 32;
  }`;
}

function routedLocation(s: RoutingSettings): string {
  return `      proxy_pass http://${s.service}_$canary_agent_route;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
${forwardedHeaderLines}
      proxy_set_header ${s.rules.tagHeader} $canary_agent_tag;
      proxy_next_upstream error timeout http_502 http_503 http_504;
${timeouts(s, '      ')}`;
}

/** A host name or address as a literal inside an nginx (PCRE) regex: dots escaped. */
function regexLiteral(text: string): string {
  return text.replace(/[.]/g, '\\.');
}

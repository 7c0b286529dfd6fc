import { ENVOY_ROUTED_FORMAT, envoyAccessLog } from './access-log';
import {
  adminOf,
  elbDiscovery,
  endpoints,
  forwardedHeaders,
  liveListener,
  routeTimeouts,
  runtimeLayers,
  STABLE_CLUSTER,
  seconds,
  stableCluster,
} from './envoy-config';
import { canaryOutlierDetection, failoverBreakers, failoverRetryPolicy } from './envoy-failover';
import { BUCKET_HEADER, partsPerMillion, type RoutingSettings, vipRules } from './routing-settings';

/** The canary ELB itself, and the aggregate cluster that falls back from it to the local service. */
export const CANARY_ELB_CLUSTER = 'canary_elb';
export const CANARY_CLUSTER = 'canary';
/**
 * Runtime keys of the weights, one per cluster (`<prefix>.canary`, `<prefix>.stable`, parts per million), as
 * WeightedCluster's `runtime_key_prefix` reads them: `POST /runtime_modify?canary_agent.weight.canary=250000&
 * canary_agent.weight.stable=750000` changes the share live.
 */
export const ROUTING_RUNTIME_PREFIX = 'canary_agent.weight';

export interface RoutingEnvoySettings extends RoutingSettings {
  /** Envoy's per-stream inactivity timeout: max(read, send), see `envoySettings`. */
  readonly streamIdleTimeoutSeconds: number;
  /** Where each failover is logged: a canary-routed request that stable answered (README, "Failovers"). */
  readonly failoverLog?: string;
}

/**
 * The failover log, the routing nginx's `routing-failover.log` counterpart: one JSON line for each request routed
 * to the canary (it carries the canary tag, added by the canary routes) that the aggregate cluster sent to the
 * local service instead, because the canary's ELB refused it, failed it with 502/503/504, or was ejected.
 */
export function failoverAccessLog(settings: RoutingEnvoySettings, path: string) {
  const tagged = `request.headers['${settings.rules.tagHeader.toLowerCase()}'] == '${settings.rules.tagValue}'`;
  const toStable = `upstream.address == '${settings.upstreamAddress}:${settings.servicePort}'`;
  const cel = {
    '@type': 'type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter',
    expression: `${tagged} && ${toStable}`,
  };
  return {
    name: 'envoy.access_loggers.file',
    filter: { extension_filter: { name: 'envoy.access_loggers.extension_filters.cel', typed_config: cel } },
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
      path,
      log_format: {
        json_format: {
          time: '%START_TIME%',
          route: '%ROUTE_NAME%',
          status: '%RESPONSE_CODE%',
          upstream: '%UPSTREAM_HOST%',
          attempts: '%UPSTREAM_REQUEST_ATTEMPT_COUNT%',
          flags: '%RESPONSE_FLAGS%',
        },
      },
    },
  };
}

/**
 * The user's bucket for `weighted_clusters.header_name`: Envoy picks a weighted cluster from a random number,
 * or from a header's integer value when one is named, and cannot hash a cookie itself. This script puts
 * FNV-1a(sticky cookie, else the client address the ELB appended to X-Forwarded-For, else the peer) mod 10^6
 * in that header, so a user keeps their bucket on every host and raising the share keeps them on the canary.
 * Changing a request header clears Envoy's cached route, so the route is picked after it.
 */
export function bucketScript(stickyCookie: string): string {
  return `-- canary-agent: the user's bucket (0-999999) for weighted_clusters.header_name.
local COOKIE = "${stickyCookie}"
function envoy_on_request(handle)
  local headers = handle:headers()
  local key = nil
  for pair in string.gmatch(headers:get("cookie") or "", "[^;,]+") do
    local name, value = string.match(pair, "^%s*([^=%s]+)%s*=%s*([^%s]+)")
    if name == COOKIE then key = value break end
  end
  if key == nil then
    -- use_remote_address appends the peer (the ELB) after the client address the ELB appended.
    local hops = {}
    for hop in string.gmatch(headers:get("x-forwarded-for") or "", "[^,%s]+") do hops[#hops + 1] = hop end
    key = hops[#hops - 1] or hops[#hops] or ""
  end
  local h = -2128831035
  for i = 1, #key do
    h = bit.bxor(h, string.byte(key, i))
    h = bit.tobit(bit.lshift(h, 24) + h * 403)
  end
  headers:replace("${BUCKET_HEADER}", tostring(h % 1000000))
end
`;
}

/**
 * The Envoy v3 bootstrap that routes a share of users to the canary on a stable host (the nginx driver's
 * counterpart, see `renderRoutingNginx` for the rules). Routes, first match wins:
 *
 *   vip-cookie, vip-header  -> stable, tag header removed
 *   tester, tagged          -> canary (with the tag header)
 *   share                   -> weighted_clusters canary / stable by the user's bucket (`bucketScript`)
 *
 * "canary" is an aggregate cluster: the canary ELB first, the local service second. Outlier detection ejects
 * the ELB's addresses for 60 s after 5 consecutive 502/503/504 or failures to connect or answer, or more than 10%
 * such failures over at least 10 requests (never for a 500), and the
 * aggregate then sends the canary's requests to stable. Each canary route has a `-non-idempotent` twin before
 * it, so that failover retries follow nginx's `proxy_next_upstream` (`failoverRetryPolicy`).
 */
export function renderRoutingEnvoy(settings: RoutingEnvoySettings): Record<string, unknown> {
  const canary = partsPerMillion(settings.canaryPercent);
  const [routes, filters] = [routingRoutes(settings, canary), [bucketFilter(settings.rules.stickyCookie)]];
  const logs = [
    envoyAccessLog(settings.accessLog, ENVOY_ROUTED_FORMAT),
    ...(settings.failoverLog ? [failoverAccessLog(settings, settings.failoverLog)] : []),
  ];
  return {
    admin: adminOf(settings),
    layered_runtime: runtimeLayers({
      [`${ROUTING_RUNTIME_PREFIX}.${CANARY_CLUSTER}`]: canary,
      [`${ROUTING_RUNTIME_PREFIX}.${STABLE_CLUSTER}`]: 1_000_000 - canary,
    }),
    static_resources: {
      listeners: [liveListener(settings, routes, filters, logs)],
      clusters: [{ ...stableCluster(settings), ...failoverBreakers }, ...canaryClusters(settings)],
    },
  };
}

/** What the routes share: the tag that marks a request as the canary's, the timeouts, the failover retries. */
function routeParts(settings: RoutingEnvoySettings) {
  const { tagHeader, tagValue } = settings.rules;
  return {
    tagHeader,
    tag: { header: { key: tagHeader, value: tagValue }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    timeouts: routeTimeouts(settings),
    idempotent: failoverRetryPolicy(settings, true),
    nonIdempotent: failoverRetryPolicy(settings, false),
  };
}

/** nginx's proxy_next_upstream never passes these on once the request has been sent to the canary. */
const NON_IDEMPOTENT = { name: ':method', string_match: { safe_regex: { regex: 'POST|LOCK|PATCH' } } };

/** RE2 `safe_regex` must match the whole Cookie header: the VIP cookie, with any cookies around it. */
function vipCookieMatch(name: string, value: string) {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const regex = `^(?:.*[;,])?\\s*${literal(name)}=${literal(value)}\\s*(?:[;,].*)?$`;
  return { name: 'cookie', string_match: { safe_regex: { regex } } };
}

/** The routes in the order Envoy tries them: VIPs, testers and tagged requests, then the share. */
function routingRoutes(settings: RoutingEnvoySettings, canary: number) {
  const r = settings.rules;
  const vip = vipRules(r);
  const parts = routeParts(settings);
  const header = (name: string, exact: string) => ({ name, string_match: { exact } });
  const pinned = { cluster: CANARY_CLUSTER, ...parts.timeouts };
  // A VIP's tag is dropped so the next service keeps it on stable too.
  const stableRoute = (name: string, headers: readonly unknown[]) => ({
    name,
    match: { prefix: '/', headers },
    route: { cluster: STABLE_CLUSTER, ...parts.timeouts },
    request_headers_to_add: forwardedHeaders,
    request_headers_to_remove: [BUCKET_HEADER, parts.tagHeader],
  });
  return [
    stableRoute('vip-cookie', [vipCookieMatch(vip.cookie, vip.cookieValue)]),
    stableRoute('vip-header', [header(vip.header, vip.headerValue)]),
    ...byMethod(parts, 'tester', [header(r.testerHeader, r.testerValue)], pinned),
    ...byMethod(parts, 'tagged', [header(r.tagHeader, r.tagValue)], pinned),
    ...byMethod(parts, 'share', [], shareAction(parts, canary)),
  ];
}

/** A route that may reach the canary, split so non-idempotent methods get the narrower retry policy. */
function byMethod(parts: ReturnType<typeof routeParts>, name: string, headers: unknown[], action: object) {
  // The share's weighted clusters tag their own canary leg; a pinned route tags the whole request.
  const add = [...forwardedHeaders, ...('cluster' in action ? [parts.tag] : [])];
  const route = (suffix: string, match: object, retry_policy: object) => ({
    name: `${name}${suffix}`,
    match,
    route: { ...action, retry_policy },
    request_headers_to_add: add,
    request_headers_to_remove: [BUCKET_HEADER],
  });
  return [
    route('-non-idempotent', { prefix: '/', headers: [...headers, NON_IDEMPOTENT] }, parts.nonIdempotent),
    route('', headers.length > 0 ? { prefix: '/', headers } : { prefix: '/' }, parts.idempotent),
  ];
}

/** Everyone else, by the bucket `bucketScript` put in the header; the runtime keys let the share change live. */
function shareAction(parts: ReturnType<typeof routeParts>, canary: number) {
  return {
    weighted_clusters: {
      clusters: [
        { name: CANARY_CLUSTER, weight: canary, request_headers_to_add: [parts.tag] },
        { name: STABLE_CLUSTER, weight: 1_000_000 - canary, request_headers_to_remove: [parts.tagHeader] },
      ],
      runtime_key_prefix: ROUTING_RUNTIME_PREFIX,
      header_name: BUCKET_HEADER,
    },
    ...parts.timeouts,
  };
}

/** Envoy cannot hash a cookie itself: this filter puts the user's bucket in a header before routing. */
function bucketFilter(stickyCookie: string) {
  const lua = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
    default_source_code: { inline_string: bucketScript(stickyCookie) },
  };
  return { name: 'envoy.filters.http.lua', typed_config: lua };
}

/** The canary ELB, and the aggregate "canary" cluster that falls back from it to the local service. */
function canaryClusters(settings: RoutingEnvoySettings) {
  const connect = seconds(settings.connectTimeoutSeconds);
  const aggregate = {
    '@type': 'type.googleapis.com/envoy.extensions.clusters.aggregate.v3.ClusterConfig',
    clusters: [CANARY_ELB_CLUSTER, STABLE_CLUSTER],
  };
  return [
    {
      name: CANARY_ELB_CLUSTER,
      ...elbDiscovery(),
      connect_timeout: connect,
      ...failoverBreakers,
      outlier_detection: canaryOutlierDetection(),
      load_assignment: endpoints(CANARY_ELB_CLUSTER, settings.canaryHost, settings.canaryPort),
    },
    {
      name: CANARY_CLUSTER,
      connect_timeout: connect,
      ...failoverBreakers,
      lb_policy: 'CLUSTER_PROVIDED',
      cluster_type: { name: 'envoy.clusters.aggregate', typed_config: aggregate },
    },
  ];
}

import { ENVOY_ROUTED_FORMAT, envoyAccessLog } from './access-log';
import {
  adminOf,
  elbDiscovery,
  endpoints,
  liveListener,
  runtimeLayers,
  STABLE_CLUSTER,
  seconds,
  stableCluster,
} from './envoy-config';
import { canaryOutlierDetection, failoverBreakers } from './envoy-failover';
import { CANARY_CLUSTER, CLIENT_HEADER, ROUTING_RUNTIME_PREFIX } from './routing-envoy-routes';
import { BUCKET_HEADER, partsPerMillion, type RoutingRules, type RoutingSettings } from './routing-settings';

export { CANARY_CLUSTER, ROUTING_RUNTIME_PREFIX };
/** The canary ELB itself, beside the aggregate cluster that falls back from it to the local service. */
export const CANARY_ELB_CLUSTER = 'canary_elb';
/**
 * RE2 refuses a regex whose program is larger than this runtime value (100 unless set): a live list of a few
 * hundred entries is one alternation of a few thousand, so the routing Envoy allows far more.
 */
export const RE2_PROGRAM_LIMIT = 1_000_000;

export interface RoutingEnvoySettings extends RoutingSettings {
  /** Envoy's per-stream inactivity timeout: max(read, send), see `envoySettings`. */
  readonly streamIdleTimeoutSeconds: number;
  /** Where each failover is logged: a canary-routed request that stable answered (README, "Failovers"). */
  readonly failoverLog?: string;
  /** Where each request routed to the canary is logged, as the routing nginx's `canaryLog`, with its `tagged=`. */
  readonly canaryLog?: string;
  /**
   * The routes file (hosts/routing-envoy-routes.ts) Envoy loads, and reloads when a new one is moved over it;
   * where the documents put it on a host unless told.
   */
  readonly routesFile?: string;
}

/**
 * The failover log, the routing nginx's `routing-failover.log` counterpart: one JSON line for each request routed
 * to the canary (it carries the canary tag, added by the canary routes) that the aggregate cluster sent to the
 * local service instead, because the canary's ELB refused it, failed it with 502/503/504, or was ejected.
 */
export function failoverAccessLog(settings: RoutingEnvoySettings, path: string) {
  const toStable = `upstream.address == '${settings.upstreamAddress}:${settings.servicePort}'`;
  return {
    name: 'envoy.access_loggers.file',
    filter: celFilter(`${routedToCanary(settings)} && ${toStable}`),
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

/** Routed to the canary: the canary routes (and the share's canary leg) set the tag, the others drop it. */
const routedToCanary = (settings: RoutingEnvoySettings) =>
  `request.headers['${settings.rules.tagHeader.toLowerCase()}'] == '${settings.rules.tagValue}'`;

const celFilter = (expression: string) => ({
  extension_filter: {
    name: 'envoy.access_loggers.extension_filters.cel',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter',
      expression,
    },
  },
});

/** Where the Lua filter records whether a request arrived tagged (`%DYNAMIC_METADATA(canary_agent:tagged)%`). */
export const TAGGED_METADATA = { namespace: 'canary_agent', key: 'tagged' } as const;

/**
 * The routing nginx's `canary_agent_routing` line in Envoy's operators: the last upstream tried (stable's address
 * after a failover) and the number of attempts where nginx lists each, the duration in milliseconds, and
 * `tagged=1` or `tagged=0` as the request arrived, before a route set the tag.
 */
export const ENVOY_CANARY_FORMAT =
  '%START_TIME(%Y-%m-%dT%H:%M:%S%z)% %RESPONSE_CODE% "%UPSTREAM_HOST%" %UPSTREAM_REQUEST_ATTEMPT_COUNT% ' +
  '%DURATION% "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%" ' +
  `tagged=%DYNAMIC_METADATA(${TAGGED_METADATA.namespace}:${TAGGED_METADATA.key})%`;

/** The canary log: one line for each request routed to the canary, failovers included. */
export function canaryAccessLog(settings: RoutingEnvoySettings, path: string) {
  return { ...envoyAccessLog(path, ENVOY_CANARY_FORMAT), filter: celFilter(routedToCanary(settings)) };
}

/**
 * The user's bucket for `weighted_clusters.header_name`: Envoy picks a weighted cluster from a random number,
 * or from a header's integer value when one is named, and cannot hash a cookie itself. This script puts
 * FNV-1a(sticky cookie, else the client address the ELB appended to X-Forwarded-For, else the peer) mod 10^6
 * in that header, so a user keeps their bucket on every host and raising the share keeps them on the canary.
 * Changing a request header clears Envoy's cached route, so the route is picked after it.
 */
export function bucketScript(rules: Pick<RoutingRules, 'stickyCookie' | 'tagHeader' | 'tagValue'>): string {
  const { namespace, key: field } = TAGGED_METADATA;
  return `-- canary-agent: the user's bucket (0-999999) for weighted_clusters.header_name.
local COOKIE = "${rules.stickyCookie}"
local TAG, TAGGED = "${rules.tagHeader}", "${rules.tagValue}"
function envoy_on_request(handle)
  local headers = handle:headers()
  -- Read before any route sets or drops the tag: whether an upstream service's proxy sent it on the new path.
  handle:streamInfo():dynamicMetadata():set("${namespace}", "${field}", headers:get(TAG) == TAGGED and "1" or "0")
  -- use_remote_address appends the peer (the ELB) after the client address the ELB appended.
  local hops = {}
  for hop in string.gmatch(headers:get("x-forwarded-for") or "", "[^,%s]+") do hops[#hops + 1] = hop end
  local key = hops[#hops - 1] or hops[#hops] or ""
  -- The network lists' routes match the client's address; a header sent from outside is overwritten.
  headers:replace("${CLIENT_HEADER}", key)
  for pair in string.gmatch(headers:get("cookie") or "", "[^;,]+") do
    local name, value = string.match(pair, "^%s*([^=%s]+)%s*=%s*([^%s]+)")
    if name == COOKIE then key = value break end
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
 * counterpart, see `renderRoutingNginx` for the rules). Who goes where is in the routes file it loads and
 * reloads (`renderRoutingEnvoyRoutes`: VIPs, testers, tagged requests, then the share by the user's bucket,
 * which `bucketScript` computes); how many go is the runtime's, which starts at the share.
 *
 * "canary" is an aggregate cluster: the canary ELB first, the local service second. Outlier detection ejects
 * the ELB's addresses for 60 s after 5 consecutive 502/503/504 or failures to connect or answer, or more than 10%
 * such failures over at least 10 requests (never for a 500), and the
 * aggregate then sends the canary's requests to stable. Each canary route has a `-non-idempotent` twin before
 * it, so that failover retries follow nginx's `proxy_next_upstream` (`failoverRetryPolicy`).
 */
export function renderRoutingEnvoy(settings: RoutingEnvoySettings): Record<string, unknown> {
  const canary = partsPerMillion(settings.canaryPercent);
  const filters = [bucketFilter(settings.rules)];
  const logs = [
    envoyAccessLog(settings.accessLog, ENVOY_ROUTED_FORMAT),
    ...(settings.canaryLog ? [canaryAccessLog(settings, settings.canaryLog)] : []),
    ...(settings.failoverLog ? [failoverAccessLog(settings, settings.failoverLog)] : []),
  ];
  return {
    admin: adminOf(settings),
    layered_runtime: runtimeLayers({
      [`${ROUTING_RUNTIME_PREFIX}.${CANARY_CLUSTER}`]: canary,
      [`${ROUTING_RUNTIME_PREFIX}.${STABLE_CLUSTER}`]: 1_000_000 - canary,
      're2.max_program_size.error_level': RE2_PROGRAM_LIMIT,
    }),
    static_resources: {
      listeners: [
        liveListener(settings, { rdsPath: settings.routesFile ?? routesPathOf(settings) }, filters, logs),
      ],
      clusters: [{ ...stableCluster(settings), ...failoverBreakers }, ...canaryClusters(settings)],
    },
  };
}

/** Where the shift-traffic document writes the routes file on a host (hosts/scripts/lib-routing.sh). */
export function routesPathOf(settings: Pick<RoutingSettings, 'service'>): string {
  return `/var/lib/canary-agent/${settings.service}/routing-routes.json`;
}

/** Envoy cannot hash a cookie itself: this filter puts the user's bucket in a header before routing. */
function bucketFilter(rules: RoutingRules) {
  const lua = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
    default_source_code: { inline_string: bucketScript(rules) },
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

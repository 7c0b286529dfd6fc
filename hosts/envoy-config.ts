import { envoyAccessLog } from './access-log';
import type { LiveListener, ProxySettings } from './proxy-settings';

/** Runtime key of the mirror fraction: `POST /runtime_modify?canary_agent.mirror_percent=5` changes it live. */
export const MIRROR_RUNTIME_KEY = 'canary_agent.mirror_percent';
export const STABLE_CLUSTER = 'stable';
export const MIRROR_CLUSTER = 'canary_mirror';

/** Bounds on shadow traffic: a slow canary fills these and further mirrors are dropped, live requests are not. */
export const mirrorCircuitBreaker = {
  max_connections: 64,
  max_pending_requests: 32,
  max_requests: 64,
  max_retries: 0,
} as const;

/**
 * nginx puts no cap on concurrent upstream requests; Envoy's default thresholds (1024 each) would start
 * rejecting live requests with 503s under a load nginx handled, so the stable cluster's are raised.
 */
export const stableCircuitBreaker = {
  max_connections: 100_000,
  max_pending_requests: 100_000,
  max_requests: 100_000,
  max_retries: 3,
} as const;

/** nginx's `keepalive_timeout` default: how long an idle client connection stays open. */
export const DOWNSTREAM_IDLE_SECONDS = 75;

/**
 * Mirror percentage as a FractionalPercent over a million, so "2.5" and "0.01" are exact
 * (a HUNDRED denominator would truncate them).
 */
export function mirrorFraction(percent: number): { numerator: number; denominator: 'MILLION' } {
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`mirror percent ${percent} is not in (0, 100]`);
  return { numerator: Math.round(percent * 10_000), denominator: 'MILLION' };
}

export const seconds = (value: number) => `${value}s`;

/**
 * nginx's `proxy_read_timeout` and `proxy_send_timeout` run between two reads or two writes, and nothing bounds
 * the whole response: a download that keeps moving may take an hour. Envoy's route `timeout` is such a bound
 * (15 s unless set), so it is disabled and the per-stream `idle_timeout` plays nginx's timers.
 */
export function routeTimeouts(settings: Pick<EnvoySettings, 'streamIdleTimeoutSeconds'>) {
  return { timeout: '0s', idle_timeout: seconds(settings.streamIdleTimeoutSeconds) };
}

/** nginx: proxy_set_header X-Real-IP $remote_addr (the direct peer, e.g. the ELB). */
export const forwardedHeaders = [
  {
    header: { key: 'x-real-ip', value: '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%' },
    append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
  },
];

/**
 * Headers the connection manager adds on its own that nginx never sent: which one depends on whether Envoy
 * takes the client for external or internal, so both go.
 */
export const envoyOnlyRequestHeaders = ['x-envoy-external-address', 'x-envoy-internal'] as const;

/**
 * How long an unused connection to the local service stays open. nginx opened a connection per request; a pooled
 * connection the service closes at its keep-alive timeout (Node's 5 s, gunicorn's 2 s) while Envoy sends on it
 * fails with a 503, so Envoy closes first. Envoy's default is an hour; a new loopback connection costs little.
 */
export const UPSTREAM_IDLE_SECONDS = 1;

/** Upstream HTTP/1.1 options for a cluster (the successor of the deprecated `Cluster.common_http_protocol_options`). */
export function upstreamHttpOptions(idleSeconds: number) {
  return {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      common_http_protocol_options: { idle_timeout: seconds(idleSeconds) },
      explicit_http_config: { http_protocol_options: {} },
    },
  };
}

/**
 * An ELB's addresses change over time: resolve all of them (strict DNS) and follow the DNS TTL. Through the
 * `envoy.clusters.dns` extension, as `Cluster.respect_dns_ttl` and the STRICT_DNS type's DNS fields are deprecated.
 */
export function elbDiscovery() {
  return {
    cluster_type: {
      name: 'envoy.clusters.dns',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.clusters.dns.v3.DnsCluster',
        respect_dns_ttl: true,
        dns_lookup_family: 'V4_ONLY',
      },
    },
  };
}

export interface EnvoySettings extends ProxySettings {
  /** Envoy's per-stream inactivity timeout (see `envoySettings`). */
  readonly streamIdleTimeoutSeconds: number;
}

/**
 * nginx's read and send timeouts are inactivity timers between two reads or two writes; Envoy's stream idle
 * timeout is their counterpart (one timer that any activity resets), so it takes the larger (`routeTimeouts`).
 */
export function envoySettings<T extends Pick<ProxySettings, 'readTimeoutSeconds' | 'sendTimeoutSeconds'>>(
  settings: T,
): T & { readonly streamIdleTimeoutSeconds: number } {
  return {
    ...settings,
    streamIdleTimeoutSeconds: Math.max(settings.readTimeoutSeconds, settings.sendTimeoutSeconds),
  };
}

/**
 * The Envoy v3 bootstrap that replaces nginx on a stable host while mirroring: one listener on nginx's port
 * (SO_REUSEPORT so both can hold it during the hand-off), the local service as the stable cluster, the canary
 * stack's ELB as a STRICT_DNS cluster, and a route whose timeouts equal nginx's. The result is plain data;
 * `JSON.stringify` it for `envoy -c envoy.json`.
 */
export function renderEnvoyConfig(settings: EnvoySettings): Record<string, unknown> {
  const route = {
    match: { prefix: '/' },
    route: {
      cluster: STABLE_CLUSTER,
      ...routeTimeouts(settings),
      request_mirror_policies: [
        {
          cluster: MIRROR_CLUSTER,
          runtime_fraction: {
            default_value: mirrorFraction(settings.mirrorPercent),
            runtime_key: MIRROR_RUNTIME_KEY,
          },
          // The canary stack serves the same virtual hosts as the stable one; a
          // `Host: api.example.com-shadow` would miss its server_name and routing.
          disable_shadow_host_suffix_append: true,
        },
      ],
    },
    request_headers_to_add: forwardedHeaders,
  };
  return {
    admin: adminOf(settings),
    layered_runtime: runtimeLayers({ [MIRROR_RUNTIME_KEY]: mirrorFraction(settings.mirrorPercent) }),
    static_resources: {
      listeners: [liveListener(settings, [route], [], [envoyAccessLog(settings.accessLog)])],
      clusters: [
        stableCluster(settings),
        {
          name: MIRROR_CLUSTER,
          ...elbDiscovery(),
          connect_timeout: seconds(settings.connectTimeoutSeconds),
          circuit_breakers: { thresholds: [{ priority: 'DEFAULT', ...mirrorCircuitBreaker }] },
          load_assignment: endpoints(MIRROR_CLUSTER, settings.mirrorHost, settings.mirrorPort),
        },
      ],
    },
  };
}

/** What every Envoy the agent runs on a stable host shares: the live listener, its admin port, its runtime. */
export type ListenerSettings = Pick<EnvoySettings, LiveListener | 'streamIdleTimeoutSeconds' | 'adminPort'>;

export function adminOf(settings: Pick<ListenerSettings, 'adminPort'>) {
  return { address: { socket_address: { address: '127.0.0.1', port_value: settings.adminPort } } };
}

/** A static layer with the rendered values under an admin layer, so `POST /runtime_modify` overrides them. */
export function runtimeLayers(values: Record<string, unknown>) {
  return {
    layers: [
      { name: 'static', static_layer: values },
      { name: 'admin', admin_layer: {} },
    ],
  };
}

/** The local service, with limits far above Envoy's defaults (see stableCircuitBreaker). */
export function stableCluster(settings: ListenerSettings) {
  return {
    name: STABLE_CLUSTER,
    type: 'STATIC',
    connect_timeout: seconds(settings.connectTimeoutSeconds),
    typed_extension_protocol_options: upstreamHttpOptions(UPSTREAM_IDLE_SECONDS),
    circuit_breakers: { thresholds: [{ priority: 'DEFAULT', ...stableCircuitBreaker }] },
    load_assignment: endpoints(STABLE_CLUSTER, settings.upstreamAddress, settings.servicePort),
  };
}

/**
 * The listener on nginx's port (SO_REUSEPORT, so both can hold it during the hand-off), with the headers and
 * timeouts nginx had; `httpFilters` run before the router. `accessLogs` starts with the host's access log
 * (`envoyAccessLog`), which nginx kept writing.
 */
export function liveListener(
  settings: ListenerSettings,
  routes: LiveRoutes,
  httpFilters: readonly unknown[],
  accessLogs: readonly unknown[],
) {
  return {
    name: 'live',
    address: { socket_address: { address: settings.listenAddress, port_value: settings.listenPort } },
    enable_reuse_port: true,
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: httpConnectionManager(settings, routes, httpFilters, accessLogs),
          },
        ],
      },
    ],
  };
}

/**
 * The live listener's routes: in the bootstrap, or in a file Envoy reloads when a new one is moved over it (RDS
 * from the file system), so that routes change without a restart.
 */
export type LiveRoutes = readonly unknown[] | { readonly rdsPath: string };

/** The route configuration's name, in the bootstrap or in a routes file. */
export const LIVE_ROUTES = 'live';

/** The live route configuration: every host name, these routes, and no header nginx would not have sent. */
export function liveRouteConfig(settings: Pick<ListenerSettings, 'service'>, routes: readonly unknown[]) {
  return {
    name: LIVE_ROUTES,
    virtual_hosts: [{ name: settings.service, domains: ['*'], routes }],
    request_headers_to_remove: [...envoyOnlyRequestHeaders],
  };
}

/** The live listener's HTTP connection manager: the service sees the request as nginx passed it on. */
function httpConnectionManager(
  settings: ListenerSettings,
  routes: LiveRoutes,
  httpFilters: readonly unknown[],
  accessLogs: readonly unknown[],
) {
  return {
    '@type':
      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'ingress',
    codec_type: 'AUTO',
    access_log: accessLogs,
    // The peer is appended to the client's X-Forwarded-For as nginx's $proxy_add_x_forwarded_for does. The peer
    // is the load balancer, trusted one hop: Envoy keeps its X-Forwarded-Proto (https behind an HTTPS listener)
    // where with 0 trusted hops it would overwrite it with this listener's plain-HTTP scheme.
    use_remote_address: true,
    xff_num_trusted_hops: 1,
    // No x-request-id that nginx would not have sent: the client's is kept, none is made up.
    preserve_external_request_id: true,
    generate_request_id: false,
    common_http_protocol_options: {
      idle_timeout: seconds(DOWNSTREAM_IDLE_SECONDS),
      // nginx's `underscores_in_headers off`: such headers never reach the service.
      headers_with_underscores_action: 'DROP_HEADER',
    },
    stream_idle_timeout: seconds(settings.streamIdleTimeoutSeconds),
    request_timeout: '0s',
    ...('rdsPath' in routes
      ? {
          rds: {
            route_config_name: LIVE_ROUTES,
            config_source: { path_config_source: { path: routes.rdsPath }, resource_api_version: 'V3' },
          },
        }
      : { route_config: liveRouteConfig(settings, routes) }),
    http_filters: [
      ...httpFilters,
      {
        name: 'envoy.filters.http.router',
        // No x-envoy-* headers to the service (x-envoy-expected-rq-timeout-ms and the like).
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
          suppress_envoy_headers: true,
        },
      },
    ],
  };
}

export function endpoints(cluster: string, address: string, port: number) {
  return {
    cluster_name: cluster,
    endpoints: [
      { lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: port } } } }] },
    ],
  };
}

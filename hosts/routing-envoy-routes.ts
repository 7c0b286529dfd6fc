import { createHash } from 'node:crypto';
import { type ColourMatcher, colourMatchers } from './colouring';
import { forwardedHeaders, liveRouteConfig, routeTimeouts, STABLE_CLUSTER } from './envoy-config';
import { failoverRetryPolicy } from './envoy-failover';
import { type ListEntries, type ListMatchers, listMatchers } from './routing-lists';
import { BUCKET_HEADER, type RoutingSettings, vipRules } from './routing-settings';

/** The aggregate cluster that tries the canary ELB, then the local service (hosts/routing-envoy.ts). */
export const CANARY_CLUSTER = 'canary';
/**
 * Runtime keys of the weights, one per cluster (`<prefix>.canary`, `<prefix>.stable`, parts per million), as
 * WeightedCluster's `runtime_key_prefix` reads them: `POST /runtime_modify?canary_agent.weight.canary=250000&
 * canary_agent.weight.stable=750000` changes the share live.
 */
export const ROUTING_RUNTIME_PREFIX = 'canary_agent.weight';
/** Header the bucket script sets to the client's address (the last X-Forwarded-For entry the ELB appended). */
export const CLIENT_HEADER = 'x-canary-agent-client';

/** What the routes need of the routing settings: the rules, and nginx's timeouts for the retries. */
export type RoutesSettings = Pick<
  RoutingSettings,
  | 'service'
  | 'rules'
  | 'availabilityZone'
  | 'readTimeoutSeconds'
  | 'sendTimeoutSeconds'
  | 'connectTimeoutSeconds'
> & { readonly streamIdleTimeoutSeconds: number };

/** Each live list as the regexes its routes match (hosts/routing-lists.ts), or sentinels for the template. */
export interface RoutesLists {
  readonly vips: ListMatchers;
  readonly testers: ListMatchers;
}

/**
 * The routing Envoy's routes file: a DiscoveryResponse with the one route configuration, which Envoy reloads
 * when a new file is moved over it (RDS from the file system). Who goes where lives here, and changes here
 * without a restart; how many go to the canary lives in the runtime (`ROUTING_RUNTIME_PREFIX`). Routes, first
 * match wins:
 *
 *   vip-cookie, vip-header, vip-list-*         -> stable, tag header removed
 *   colour-<n>-<kind>, in the rules' order     -> canary (tagged) for a `new` rule, stable for a `stable` one
 *   tester, tester-list-*, tagged              -> canary (with the tag header)
 *   share                                      -> weighted_clusters canary / stable by the user's bucket
 *
 * `version` names the file's content (`routesFile` puts its hash there), so the script can see Envoy took it.
 */
export function renderRoutingEnvoyRoutes(settings: RoutesSettings, lists: RoutesLists, version: string) {
  return {
    version_info: version,
    type_url: ROUTE_CONFIGURATION,
    resources: [
      { '@type': ROUTE_CONFIGURATION, ...liveRouteConfig(settings, routingRoutes(settings, lists)) },
    ],
  };
}

const ROUTE_CONFIGURATION = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';

/** The routes file as the documents write it: the lists' regexes in, and the hash of the rest as its version. */
export function routesFile(settings: RoutesSettings, entries: ListEntries): string {
  const sticky = settings.rules.stickyCookie;
  const lists = { vips: listMatchers(entries.vips, sticky), testers: listMatchers(entries.testers, sticky) };
  const text = (version: string) =>
    `${JSON.stringify(renderRoutingEnvoyRoutes(settings, lists, version), null, 2)}\n`;
  return text(createHash('sha256').update(text('')).digest('hex').slice(0, 16));
}

/** What the routes share: the tag that marks a request as the canary's, the timeouts, the failover retries. */
function routeParts(settings: RoutesSettings) {
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
/** The headers the routing proxy made for itself: never passed on. */
const OWN_HEADERS = [BUCKET_HEADER, CLIENT_HEADER];

/** RE2 `safe_regex` must match the whole Cookie header: the VIP cookie, with any cookies around it. */
function vipCookieMatch(name: string, value: string) {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const regex = `^(?:.*[;,])?\\s*${literal(name)}=${literal(value)}\\s*(?:[;,].*)?$`;
  return { name: 'cookie', string_match: { safe_regex: { regex } } };
}

const matching = (name: string, regex: string) => [{ name, string_match: { safe_regex: { regex } } }];

/** A list's three routes: by the Cookie header, by the list's header, by the client's network. */
function listRoutes(name: string, header: string, matchers: ListMatchers): [string, unknown[]][] {
  return [
    [`${name}-list-cookie`, matching('cookie', matchers.cookie)],
    [`${name}-list-header`, matching(header, matchers.header)],
    [`${name}-list-client`, matching(CLIENT_HEADER, matchers.client)],
  ];
}

/** A route to stable; the tag is dropped so the next service keeps the request on stable too. */
function stableRoute(parts: ReturnType<typeof routeParts>, [name, headers]: [string, readonly unknown[]]) {
  return {
    name,
    match: { prefix: '/', headers },
    route: { cluster: STABLE_CLUSTER, ...parts.timeouts },
    request_headers_to_add: forwardedHeaders,
    request_headers_to_remove: [...OWN_HEADERS, parts.tagHeader],
  };
}

/** The colouring rules' routes, in their order: a `new` rule's pair to the canary, a `stable` rule's to stable. */
export function colourRoutes(settings: RoutesSettings, matchers: readonly ColourMatcher[]): unknown[] {
  const parts = routeParts(settings);
  const pinned = { cluster: CANARY_CLUSTER, ...parts.timeouts };
  return matchers.flatMap((m): unknown[] => {
    const headers = matching(m.envoyHeader, m.envoyRegex);
    return m.route === 'stable'
      ? [stableRoute(parts, [m.name, headers])]
      : byMethod(parts, m.name, headers, pinned);
  });
}

/** The routes in the order Envoy tries them: VIPs, the colouring rules, testers and tagged requests, the share. */
function routingRoutes(settings: RoutesSettings, lists: RoutesLists) {
  const r = settings.rules;
  const vip = vipRules(r);
  const parts = routeParts(settings);
  const header = (name: string, exact: string) => [{ name, string_match: { exact } }];
  const pinned = { cluster: CANARY_CLUSTER, ...parts.timeouts };
  const toStable = (route: [string, readonly unknown[]]) => stableRoute(parts, route);
  const colours = colourMatchers(r.colouring ?? [], settings.availabilityZone);
  const testers: [string, unknown[]][] = [
    ['tester', header(r.testerHeader, r.testerValue)],
    ...listRoutes('tester', r.testerHeader, lists.testers),
    ['tagged', header(r.tagHeader, r.tagValue)],
  ];
  return [
    toStable(['vip-cookie', [vipCookieMatch(vip.cookie, vip.cookieValue)]]),
    toStable(['vip-header', header(vip.header, vip.headerValue)]),
    ...listRoutes('vip', vip.header, lists.vips).map(toStable),
    ...colourRoutes(settings, colours),
    ...testers.flatMap(([name, headers]) => byMethod(parts, name, headers, pinned)),
    ...byMethod(parts, 'share', [], shareAction(parts)),
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
    request_headers_to_remove: OWN_HEADERS,
  });
  return [
    route('-non-idempotent', { prefix: '/', headers: [...headers, NON_IDEMPOTENT] }, parts.nonIdempotent),
    route('', headers.length > 0 ? { prefix: '/', headers } : { prefix: '/' }, parts.idempotent),
  ];
}

/**
 * Everyone else, by the bucket `bucketScript` put in the header. The weights come from the runtime, which the
 * bootstrap fills with the share and `runtime_modify` changes; these defaults would send nobody to the canary.
 */
function shareAction(parts: ReturnType<typeof routeParts>) {
  return {
    weighted_clusters: {
      clusters: [
        { name: CANARY_CLUSTER, weight: 0, request_headers_to_add: [parts.tag] },
        { name: STABLE_CLUSTER, weight: 1_000_000, request_headers_to_remove: [parts.tagHeader] },
      ],
      runtime_key_prefix: ROUTING_RUNTIME_PREFIX,
      header_name: BUCKET_HEADER,
    },
    ...parts.timeouts,
  };
}

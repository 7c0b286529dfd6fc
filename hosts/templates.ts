import { type ColourMatcher, nginxColourEnd, nginxColourMap } from './colouring';
import { type EnvoySettings, renderEnvoyConfig } from './envoy-config';
import { type MirrorNginxSettings, type NginxInstance, renderMirrorNginx } from './nginx-config';
import { type RoutingEnvoySettings, renderRoutingEnvoy } from './routing-envoy';
import { colourRoutes, renderRoutingEnvoyRoutes } from './routing-envoy-routes';
import { type RoutingNginxInstance, renderRoutingNginx } from './routing-nginx';

/**
 * Host scripts render proxy configuration from templates made by the same TypeScript renderers the tests
 * check: the renderers run once with sentinel values, and each sentinel becomes an `@@NAME@@` placeholder that
 * the script fills from shell variable NAME. test/hosts/documents.test.ts renders through the real script and
 * compares with the renderer, so a derived value the template cannot express fails there.
 */
const strings: readonly (readonly [string, string])[] = [
  // The live lists: their folder (named by their hash), the routes file, and each list's regexes for Envoy.
  ['/sentinel/lists/sentinellistsid', 'LISTS_DIR'],
  ['sentinellistsid', 'LISTS_ID'],
  ['/sentinel/routes.json', 'ROUTES_FILE'],
  ['sentinelroutesversion', 'ROUTES_VERSION'],
  ...(['VIP', 'TESTER'] as const).flatMap((list) =>
    (['COOKIE', 'HEADER', 'CLIENT'] as const).map(
      (by) => [`sentinel${list}${by}regex`.toLowerCase(), `${list}_${by}_REGEX`] as const,
    ),
  ),
  ['listen-address.sentinel', 'LISTEN_ADDRESS'],
  ['upstream-address.sentinel', 'UPSTREAM_ADDRESS'],
  ['mirror-host.sentinel', 'MIRROR_HOST'],
  ['resolver.sentinel', 'RESOLVER'],
  ['/sentinel/pid', 'PID_FILE'],
  ['/sentinel/temp', 'TEMP_DIR'],
  ['/sentinel/error.log', 'ERROR_LOG'],
  ['/sentinel/access.log', 'ACCESS_LOG'],
  ['sentinel_workers', 'WORKER_PROCESSES'],
  ['sentinelservice', 'SERVICE'],
  ['/sentinel/canary.log', 'CANARY_LOG'],
  ['/sentinel/failover.log', 'FAILOVER_LOG'],
  ['canary-host.sentinel', 'CANARY_HOST'],
  // The canary host inside a regex, dots escaped (the failover log's test of the last upstream).
  ['canary-host\\.sentinel', 'CANARY_HOST_REGEX'],
  // Routing rules, and the nginx variable form of each header (`$http_x_sentineltester`).
  ['sentinelsticky', 'STICKY_COOKIE'],
  ['x-sentineltester', 'TESTER_HEADER'],
  ['x_sentineltester', 'TESTER_HEADER_VAR'],
  ['sentinelprobe', 'TESTER_VALUE'],
  ['sentinelvipjar', 'VIP_COOKIE'],
  ['sentinelgold', 'VIP_COOKIE_VALUE'],
  ['x-sentinelvip', 'VIP_HEADER'],
  ['x_sentinelvip', 'VIP_HEADER_VAR'],
  ['sentinelplatinum', 'VIP_HEADER_VALUE'],
  ['x-sentineltag', 'TAG_HEADER'],
  ['x_sentineltag', 'TAG_HEADER_VAR'],
  ['sentinelgray', 'TAG_VALUE'],
  // One colouring rule (hosts/colouring.ts ColourMatcher): its nginx map, its Envoy route (the regex JSON-escaped).
  ['sentinelcoloursource', 'COLOUR_SOURCE'],
  ['sentinelcolourregex', 'COLOUR_REGEX'],
  ['sentinelcolourroute', 'COLOUR_ROUTE'],
  ['sentinelcolourname', 'COLOUR_NAME'],
  ['x-sentinelcolourheader', 'COLOUR_HEADER'],
  ['sentinelcolourenvoyregex', 'COLOUR_RE'],
];
const numbers: readonly (readonly [number, string])[] = [
  [61001, 'LISTEN_PORT'],
  [61002, 'SERVICE_PORT'],
  [61003, 'MIRROR_PORT'],
  [61004, 'ADMIN_PORT'],
  [3501, 'CONNECT_TIMEOUT'],
  [3502, 'READ_TIMEOUT'],
  [3503, 'SEND_TIMEOUT'],
  [3504, 'IDLE_TIMEOUT'],
  [123456, 'MIRROR_NUMERATOR'],
  [61005, 'CANARY_PORT'],
  [234567, 'CANARY_WEIGHT'],
  [765433, 'STABLE_WEIGHT'],
  // A colouring rule's place in the chain of nginx maps, and the next one's.
  [61011, 'COLOUR_INDEX'],
  [61012, 'COLOUR_NEXT'],
];
const sentinelPercent = 12.3456;
const sentinelShare = 23.4567;

const value = (name: string) => {
  const found = numbers.find(([, n]) => n === name);
  if (!found) throw new Error(`no sentinel for ${name}`);
  return found[0];
};
const text = (name: string) => {
  const found = strings.find(([, n]) => n === name);
  if (!found) throw new Error(`no sentinel for ${name}`);
  return found[0];
};

const settings: EnvoySettings & MirrorNginxSettings = {
  service: text('SERVICE'),
  listenAddress: text('LISTEN_ADDRESS'),
  listenPort: value('LISTEN_PORT'),
  upstreamAddress: text('UPSTREAM_ADDRESS'),
  servicePort: value('SERVICE_PORT'),
  connectTimeoutSeconds: value('CONNECT_TIMEOUT'),
  readTimeoutSeconds: value('READ_TIMEOUT'),
  sendTimeoutSeconds: value('SEND_TIMEOUT'),
  streamIdleTimeoutSeconds: value('IDLE_TIMEOUT'),
  mirrorHost: text('MIRROR_HOST'),
  mirrorPort: value('MIRROR_PORT'),
  mirrorPercent: sentinelPercent,
  adminPort: value('ADMIN_PORT'),
  resolver: text('RESOLVER'),
  accessLog: text('ACCESS_LOG'),
};
const instance: NginxInstance = {
  pidFile: text('PID_FILE'),
  tempDir: text('TEMP_DIR'),
  errorLog: text('ERROR_LOG'),
  workerProcesses: text('WORKER_PROCESSES'),
};

function placeholders(rendered: string, extra: readonly (readonly [string, string])[]): string {
  // lib.sh's render_template fills `@@[A-Z_]+@@` only: any other name would stay in the configuration as it is.
  const unfillable = [...extra, ...strings, ...numbers].find(([, name]) => !/^[A-Z_]+$/.test(name));
  if (unfillable) throw new Error(`no script can fill the placeholder ${unfillable[1]}`);
  let out = rendered;
  for (const [sentinel, name] of [...extra, ...strings]) out = out.split(sentinel).join(`@@${name}@@`);
  for (const [sentinel, name] of numbers)
    out = out.replace(new RegExp(`(?<![0-9])${sentinel}(?![0-9])`, 'g'), `@@${name}@@`);
  if (/sentinel|12\.35|123456|23\.46|234567/.test(out)) throw new Error('a sentinel survived in a template');
  return out;
}

const routing: RoutingEnvoySettings = {
  ...settings,
  failoverLog: text('FAILOVER_LOG'),
  routesFile: text('ROUTES_FILE'),
  canaryHost: text('CANARY_HOST'),
  canaryPort: value('CANARY_PORT'),
  canaryPercent: sentinelShare,
  canaryLog: text('CANARY_LOG'),
  rules: {
    stickyCookie: text('STICKY_COOKIE'),
    testerHeader: text('TESTER_HEADER'),
    testerValue: text('TESTER_VALUE'),
    vipCookie: text('VIP_COOKIE'),
    vipCookieValue: text('VIP_COOKIE_VALUE'),
    vipHeader: text('VIP_HEADER'),
    vipHeaderValue: text('VIP_HEADER_VALUE'),
    tagHeader: text('TAG_HEADER'),
    tagValue: text('TAG_VALUE'),
  },
};
const routingInstance: RoutingNginxInstance = {
  ...instance,
  listsDir: text('LISTS_DIR'),
  canaryLog: text('CANARY_LOG'),
  failoverLog: text('FAILOVER_LOG'),
};

/** The Envoy bootstrap (JSON) with placeholders. */
export function envoyTemplate(): string {
  return placeholders(`${JSON.stringify(renderEnvoyConfig(settings), null, 2)}\n`, []);
}

/** The mirroring nginx's configuration with placeholders; MIRROR_PERCENT is the parameter as sent ("2.5"). */
export function mirrorNginxTemplate(): string {
  return placeholders(renderMirrorNginx(settings, instance), [['12.35', 'MIRROR_PERCENT']]);
}

/** The routing Envoy (JSON) with placeholders. */
export function routingEnvoyTemplate(): string {
  return placeholders(`${JSON.stringify(renderRoutingEnvoy(routing), null, 2)}\n`, []);
}

/**
 * Between a template and its parts: pieces the script renders once per colouring rule and puts in the template's
 * COLOUR_MAPS or COLOUR_ROUTES (hosts/scripts/lib-colouring.sh splits them off). They travel in the template so
 * that one gzip packs them with the routes they resemble.
 */
export const TEMPLATE_PART = '\n@@@@\n';

/** A colouring rule with sentinels for what the script fills in per rule. */
const colourSentinel = (route: ColourMatcher['route']): ColourMatcher => ({
  name: text('COLOUR_NAME'),
  route,
  nginxSource: text('COLOUR_SOURCE'),
  nginxRegex: text('COLOUR_REGEX'),
  envoyHeader: text('COLOUR_HEADER'),
  envoyRegex: text('COLOUR_RE'),
});

/**
 * The routing Envoy's routes file (JSON) with placeholders, each list's regexes among them, and COLOUR_ROUTES
 * where the colouring rules' routes go; then its parts: a `stable` rule's route and a `new` rule's pair, each
 * indented as a route and followed by the comma and indentation of the next, so that any number of them in a
 * row, or none, is what JSON.stringify prints.
 */
export function routingEnvoyRoutesTemplate(): string {
  const matchers = (list: 'VIP' | 'TESTER') => ({
    cookie: text(`${list}_COOKIE_REGEX`),
    header: text(`${list}_HEADER_REGEX`),
    client: text(`${list}_CLIENT_REGEX`),
  });
  const lists = { vips: matchers('VIP'), testers: matchers('TESTER') };
  const doc = renderRoutingEnvoyRoutes(routing, lists, text('ROUTES_VERSION'));
  const [config] = doc.resources;
  const host = config?.virtual_hosts[0];
  if (!config || !host) throw new Error('the routes file has no virtual host');
  const named = (name: string) => (r: unknown) =>
    typeof r === 'object' && r !== null && 'name' in r && r.name === name;
  // Colouring rules come after the VIPs, just before the testers (routingRoutes).
  const at = host.routes.findIndex(named('tester-non-idempotent'));
  const mark = 'sentinelcolourroutes';
  const routes = [...host.routes.slice(0, at), mark, ...host.routes.slice(at)];
  const marked = { ...doc, resources: [{ ...config, virtual_hosts: [{ ...host, routes }] }] };
  const main = `${JSON.stringify(marked, null, 2)}\n`;
  const indent = new RegExp(`\n( *)"${mark}",\n`).exec(main)?.[1] ?? '';
  const part = (route: ColourMatcher['route']) =>
    colourRoutes(routing, [colourSentinel(route)])
      .map((r) => `${JSON.stringify(r, null, 2).split('\n').join(`\n${indent}`)},\n${indent}`)
      .join('');
  const template = [main.replace(`"${mark}",\n${indent}`, '@@COLOUR_ROUTES@@'), part('stable'), part('new')];
  return placeholders(template.join(TEMPLATE_PART), []);
}

/**
 * The routing nginx's configuration with placeholders: CANARY_SPLIT is the `split_clients` line the script
 * derives from the share ("2.5% 1", or "100% 0" at 0), CANARY_PERCENT the parameter as sent, COLOUR_MAPS the
 * colouring rules' maps; then its parts: a rule's map, and the map that ends the chain after the last rule.
 */
export function routingNginxTemplate(): string {
  const noRules = nginxColourEnd(1);
  const rule = nginxColourMap(
    { ...colourSentinel('new'), route: text('COLOUR_ROUTE') },
    value('COLOUR_INDEX'),
  );
  const template = [
    renderRoutingNginx(routing, routingInstance),
    rule,
    nginxColourEnd(value('COLOUR_INDEX')),
  ];
  return placeholders(template.join(TEMPLATE_PART), [
    ['23.46% 1', 'CANARY_SPLIT'],
    ['23.46', 'CANARY_PERCENT'],
    [noRules, 'COLOUR_MAPS'],
  ]);
}

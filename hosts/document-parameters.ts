/**
 * The SSM documents' parameters and their `allowedPattern`s. Each pattern accepts every value the engine can
 * produce (domain/patterns.ts, domain/plan.ts; test/hosts/document-parameters.test.ts checks it) and nothing
 * that means anything to a shell: no spaces, quotes, `$`, backticks, `;`, `|`, `&`, `<`, `>`, newlines.
 * Patterns avoid look-arounds so SSM's regex engine reads them as JavaScript does.
 */
import { containerParameterNames, containerParameterSpecs } from './container-parameters';
import { routingParameterNames, routingParameterSpecs } from './routing-parameters';

export interface ParameterSpec {
  readonly description: string;
  readonly allowedPattern: string;
  readonly minChars: number;
  readonly maxChars: number;
  /** A parameter with a default may be left out (SSM fills it in). */
  readonly default?: string;
}

const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const port = '^(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$';
const timeout = '^(?:[1-9][0-9]{0,2}|[1-2][0-9]{3}|3[0-5][0-9]{2}|3600)$';
const version = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const percent = '^(?:100|[1-9]?[0-9](?:\\.[0-9]{1,2})?)$';
export const parameterSpecs = {
  Service: {
    description: 'Service name, e.g. orders-api',
    allowedPattern: '^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$',
    minChars: 2,
    maxChars: 40,
  },
  ReleaseId: {
    description: 'Release id, for the summary and container labels',
    allowedPattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
    minChars: 1,
    maxChars: 128,
  },
  Image: {
    description: 'Docker image repository without tag',
    allowedPattern:
      '^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?(?::[0-9]{1,5})?(?:/[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)*$',
    minChars: 1,
    maxChars: 255,
  },
  ContainerPort: {
    description: 'Port the service listens on in its container',
    allowedPattern: port,
    minChars: 1,
    maxChars: 5,
  },
  HealthPath: {
    description: 'HTTP path of the health check, e.g. /healthz',
    allowedPattern: '^/[A-Za-z0-9._~/-]{0,127}$',
    minChars: 1,
    maxChars: 128,
  },
  Version: { description: 'Docker tag to run', allowedPattern: version, minChars: 1, maxChars: 64 },
  PreviousVersion: {
    description: 'Docker tag running before the release',
    allowedPattern: version,
    minChars: 1,
    maxChars: 64,
  },
  ProxyDriver: {
    description: 'envoy or nginx',
    allowedPattern: '^(?:envoy|nginx)$',
    minChars: 5,
    maxChars: 5,
  },
  ListenPort: {
    description: "Port nginx listens on (the ELB's target port)",
    allowedPattern: port,
    minChars: 1,
    maxChars: 5,
  },
  ServicePort: {
    description: 'Port of the local service nginx proxies to',
    allowedPattern: port,
    minChars: 1,
    maxChars: 5,
  },
  ConnectTimeout: {
    description: "nginx's proxy_connect_timeout in seconds",
    allowedPattern: timeout,
    minChars: 1,
    maxChars: 4,
  },
  ReadTimeout: {
    description: "nginx's proxy_read_timeout in seconds",
    allowedPattern: timeout,
    minChars: 1,
    maxChars: 4,
  },
  SendTimeout: {
    description: "nginx's proxy_send_timeout in seconds",
    allowedPattern: timeout,
    minChars: 1,
    maxChars: 4,
  },
  MirrorHost: {
    description: "The canary stack's ELB DNS name",
    allowedPattern: `^${label}(?:\\.${label})+$`,
    minChars: 3,
    maxChars: 253,
  },
  MirrorPercent: {
    description: 'Share of requests to mirror, 0.01 to 100, at most two decimals',
    allowedPattern: percent,
    minChars: 1,
    maxChars: 5,
  },
  CanaryHost: {
    description: "The canary stack's ELB DNS name",
    allowedPattern: `^${label}(?:\\.${label})+$`,
    minChars: 3,
    maxChars: 253,
  },
  CanaryPercent: {
    description: 'Share of users routed to the canary, 0 to 100, at most two decimals',
    allowedPattern: percent,
    minChars: 1,
    maxChars: 5,
  },
  ...routingParameterSpecs,
  ...containerParameterSpecs,
} as const satisfies Record<string, ParameterSpec>;

export type ParameterName = keyof typeof parameterSpecs;

/** `ReleaseId` -> `RELEASE_ID`: the shell variable a parameter is assigned to. */
export function shellVariable(name: ParameterName): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

export interface DocumentSpec {
  readonly operation: string;
  readonly file: string;
  readonly script: string;
  readonly description: string;
  readonly parameters: readonly ParameterName[];
  readonly templates: readonly (
    | 'ENVOY_TEMPLATE'
    | 'MIRROR_NGINX_TEMPLATE'
    | 'ROUTING_ENVOY_TEMPLATE'
    | 'ROUTING_ENVOY_ROUTES_TEMPLATE'
    | 'ROUTING_NGINX_TEMPLATE'
  )[];
  /**
   * hosts/scripts' libraries this operation's script needs, in order; all of them when left out. SSM refuses a
   * document over 64 KB, parameters included, so the routing documents carry no container code.
   */
  readonly libraries?: readonly string[];
}

const image = ['Image', 'ContainerPort', 'HealthPath', 'Version', ...containerParameterNames] as const;
const proxy = [
  'ProxyDriver',
  'ListenPort',
  'ServicePort',
  'ConnectTimeout',
  'ReadTimeout',
  'SendTimeout',
] as const;

const ROUTING_LIBRARIES = ['lib.sh', 'lib-nginx.sh', 'lib-proxy.sh', 'lib-routing.sh', 'lib-colouring.sh'];

/** One document per host operation the engine sends (domain/plan.ts), and the live lists' apply document. */
export const documentSpecs: readonly DocumentSpec[] = [
  {
    operation: 'deployCanary',
    file: 'deploy-canary.yml',
    script: 'deploy-canary.sh',
    description:
      'Canary Agent: run a version of the service as the canary container and wait for its health check.',
    parameters: ['Service', 'ReleaseId', ...image],
    templates: [],
  },
  {
    operation: 'removeCanary',
    file: 'remove-canary.yml',
    script: 'remove-canary.sh',
    description: 'Canary Agent: remove the canary container.',
    parameters: ['Service', 'ReleaseId'],
    templates: [],
  },
  {
    operation: 'startMirror',
    file: 'start-mirror.yml',
    script: 'start-mirror.sh',
    description:
      "Canary Agent: hand the live port from nginx to a mirroring proxy (Envoy or nginx's mirror module) without dropping requests.",
    parameters: ['Service', 'ReleaseId', ...proxy, 'MirrorHost', 'MirrorPercent'],
    templates: ['ENVOY_TEMPLATE', 'MIRROR_NGINX_TEMPLATE'],
  },
  {
    operation: 'shiftTraffic',
    file: 'shift-traffic.yml',
    script: 'shift-traffic.sh',
    description:
      'Canary Agent: route a share of users to the canary (testers always, VIPs never) through a routing proxy on the live port, handed over from nginx without dropping requests, or change the share in place.',
    parameters: ['Service', 'ReleaseId', ...proxy, 'CanaryHost', 'CanaryPercent', ...routingParameterNames],
    templates: ['ROUTING_ENVOY_TEMPLATE', 'ROUTING_ENVOY_ROUTES_TEMPLATE', 'ROUTING_NGINX_TEMPLATE'],
    libraries: ROUTING_LIBRARIES,
  },
  {
    // The same script: on a host that routes users now, a new routing configuration with its share kept.
    operation: 'applyRoutingLists',
    file: 'apply-routing-lists.yml',
    script: 'shift-traffic.sh',
    description:
      'Canary Agent: give the routing proxy of a host that routes users now new VIP and tester lists in place, keeping its share: the routing nginx reloads with the same master and listening socket, Envoy reloads its routes file. A host that routes nobody is left as it is.',
    parameters: ['Service', 'ReleaseId', ...proxy, 'CanaryHost', ...routingParameterNames],
    templates: ['ROUTING_ENVOY_TEMPLATE', 'ROUTING_ENVOY_ROUTES_TEMPLATE', 'ROUTING_NGINX_TEMPLATE'],
    libraries: ROUTING_LIBRARIES,
  },
  {
    operation: 'stopMirror',
    file: 'stop-mirror.yml',
    script: 'stop-mirror.sh',
    description:
      "Canary Agent: hand the live port back from the agent's proxy (mirroring or routing) to nginx without dropping requests.",
    parameters: ['Service', 'ReleaseId', ...proxy],
    templates: [],
  },
  {
    operation: 'promote',
    file: 'promote.yml',
    script: 'promote.sh',
    description:
      'Canary Agent: run the verified version on a stable host, keeping the previous container for a rollback.',
    parameters: ['Service', 'ReleaseId', ...image, 'PreviousVersion'],
    templates: [],
  },
  {
    operation: 'restoreStable',
    file: 'restore-stable.yml',
    script: 'restore-stable.sh',
    description: 'Canary Agent: put the version from before the release back on a stable host.',
    parameters: ['Service', 'ReleaseId', ...image],
    templates: [],
  },
  {
    operation: 'deployIdle',
    file: 'deploy-idle.yml',
    script: 'deploy-idle.sh',
    description:
      'Canary Agent: run a version of the service on a host of the idle blue/green colour (out of traffic) and wait for its health check.',
    parameters: ['Service', 'ReleaseId', ...image],
    templates: [],
  },
];

/**
 * The SSM documents' parameters and their `allowedPattern`s. Each pattern accepts every value the engine can
 * produce (domain/patterns.ts, domain/plan.ts; test/hosts/document-parameters.test.ts checks it) and nothing
 * that means anything to a shell: no spaces, quotes, `$`, backticks, `;`, `|`, `&`, `<`, `>`, newlines.
 * Patterns avoid look-arounds so SSM's regex engine reads them as JavaScript does.
 */
import { containerParameterNames, containerParameterSpecs } from './container-parameters';

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
// Routing rules (domain/patterns.ts headerName, routingToken): no `.`, so each is also a literal regex.
const headerName = '[A-Za-z0-9][A-Za-z0-9-]{0,63}';
const token = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}';
const header = (description: string) => ({
  description,
  allowedPattern: `^${headerName}$`,
  minChars: 1,
  maxChars: 64,
});
const value = (description: string) => ({
  description,
  allowedPattern: `^${token}$`,
  minChars: 1,
  maxChars: 64,
});
// A VIP rule the service leaves out arrives empty.
const optional = (description: string, pattern: string) => ({
  description: `${description}, or empty when the service has none`,
  allowedPattern: `^(?:${pattern})?$`,
  minChars: 0,
  maxChars: 64,
});

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
  StickyCookie: value('Cookie whose hash assigns a user to a version (client address when absent)'),
  TesterHeader: header('Header that sends a request to the canary whatever the share'),
  TesterValue: value("The tester header's value"),
  VipCookie: optional('Cookie that pins a request to stable', token),
  VipCookieValue: optional("The VIP cookie's value", token),
  VipHeader: optional('Header that pins a request to stable', headerName),
  VipHeaderValue: optional("The VIP header's value", token),
  TagHeader: header(
    'Header that requests routed to the canary carry, and that sends a request to the canary',
  ),
  TagValue: value("The tag header's value"),
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
    | 'ROUTING_NGINX_TEMPLATE'
  )[];
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

/** One document per host operation the engine sends (domain/plan.ts). */
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
    parameters: [
      'Service',
      'ReleaseId',
      ...proxy,
      'CanaryHost',
      'CanaryPercent',
      'StickyCookie',
      'TesterHeader',
      'TesterValue',
      'VipCookie',
      'VipCookieValue',
      'VipHeader',
      'VipHeaderValue',
      'TagHeader',
      'TagValue',
    ],
    templates: ['ROUTING_ENVOY_TEMPLATE', 'ROUTING_NGINX_TEMPLATE'],
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

/**
 * Host-side tooling.
 *   npx tsx hosts/cli.ts render-envoy --config service.json --percent 10 [--listen-address A] [--mirror-port P] [--admin-port P] [--access-log F]
 *   npx tsx hosts/cli.ts render-nginx-mirror --config service.json --percent 10 [...]
 *   npx tsx hosts/cli.ts render-routing --config service.json --percent 10 [--driver envoy|nginx] [--vips u-1,tier=gold] [--testers 10.1.0.0/16] [--colour-rules header:app=mobile] [--availability-zone eu-west-1a] [--routes] [...]
 *   npx tsx hosts/cli.ts build-documents [--check]
 *   npx tsx hosts/cli.ts check-config examples/mirror-standing-fleet.jsonc [--alarm-prefix canary-] [--json]
 *   npx tsx hosts/cli.ts run-document hosts/documents/start-mirror.yml Service=orders-api ReleaseId=r-1 ...
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseColourRules } from '../domain/colouring';
import { patterns } from '../domain/patterns';
import { formatPercent } from '../domain/plan';
import { checkListEntry } from '../domain/routing-list-entries';
import { parseServiceConfig, type ServiceConfig } from '../domain/service-config';
import { ACCESS_LOG_PATTERN } from './access-log';
import { documentsDir, renderDocuments } from './build-documents';
import { checkConfigCommand } from './check-config';
import { envoySettings, renderEnvoyConfig } from './envoy-config';
import { renderMirrorNginx } from './nginx-config';
import { hostDefaults, type ProxySettings } from './proxy-settings';
import { renderRoutingEnvoy } from './routing-envoy';
import { routesFile } from './routing-envoy-routes';
import { listsId } from './routing-lists';
import { renderRoutingNginx } from './routing-nginx';
import type { RoutingSettings } from './routing-settings';
import { runDocument } from './run-document';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function readConfig(path: string | undefined) {
  if (!path) fail('--config <service-config.json> is required');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`cannot read ${path} as JSON: ${(error as Error).message}`);
  }
  const parsed = parseServiceConfig(raw);
  if (!parsed.ok) fail(`invalid service configuration:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.config;
}

function port(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`--${name} must be a port number (1-65535)`);
  return n;
}

const hostOptions = {
  config: { type: 'string' },
  percent: { type: 'string' },
  'listen-address': { type: 'string', default: hostDefaults.listenAddress },
  'upstream-address': { type: 'string', default: hostDefaults.upstreamAddress },
  'mirror-port': { type: 'string', default: String(hostDefaults.mirrorPort) },
  'admin-port': { type: 'string', default: String(hostDefaults.adminPort) },
  'access-log': { type: 'string', default: hostDefaults.accessLog },
  'canary-host': { type: 'string' },
} as const;

/** The canary's load balancer: the configured one, or, for a temporary stack's, the one its outputs would name. */
function canaryHost(config: ServiceConfig, given: string | undefined): string {
  const host = given ?? config.canaryStack.elbHost;
  if (host === undefined) {
    fail(
      `${config.service} creates a canary stack per release: pass --canary-host with its load balancer's DNS name`,
    );
  }
  if (!patterns.hostName.test(host)) fail(`--canary-host must be a DNS name, not ${JSON.stringify(host)}`);
  return host;
}

/** Envoy's STATIC listeners and clusters take IP addresses only (a name such as `localhost` fails to load). */
function ipAddress(name: string, value: string): string {
  if (isIP(value) === 0)
    fail(`--${name} must be an IP address such as 0.0.0.0 or 127.0.0.1, not ${JSON.stringify(value)}`);
  return value;
}

/** The host's access log goes into configurations unquoted: a plain absolute path only. */
function accessLog(value: string): string {
  if (!ACCESS_LOG_PATTERN.test(value))
    fail(
      `--access-log must be an absolute path of letters, digits and . _ - /, not ${JSON.stringify(value)}`,
    );
  return value;
}

/** What every rendered proxy on a stable host shares: where it listens, the local service, nginx's timeouts. */
function hostProxyBase(
  config: ServiceConfig,
  values: {
    'listen-address': string;
    'upstream-address': string;
    'admin-port': string;
    'access-log': string;
  },
) {
  return {
    service: config.service,
    listenAddress: ipAddress('listen-address', values['listen-address']),
    listenPort: config.proxy.listenPort,
    upstreamAddress: ipAddress('upstream-address', values['upstream-address']),
    servicePort: config.proxy.servicePort,
    connectTimeoutSeconds: config.proxy.connectTimeoutSeconds,
    readTimeoutSeconds: config.proxy.readTimeoutSeconds,
    sendTimeoutSeconds: config.proxy.sendTimeoutSeconds,
    adminPort: port('admin-port', values['admin-port']),
    accessLog: accessLog(values['access-log']),
  };
}

function proxySettings(args: string[]): ProxySettings {
  const { values } = parseArgs({ args, options: hostOptions });
  const config = readConfig(values.config);
  const percent = values.percent === undefined ? config.mirror.defaultPercent : Number(values.percent);
  if (!(percent >= 0.01 && percent <= 100))
    fail('--percent must be a number from 0.01 to 100, e.g. --percent 10');
  return {
    ...hostProxyBase(config, values),
    mirrorHost: canaryHost(config, values['canary-host']),
    mirrorPort: port('mirror-port', values['mirror-port']),
    mirrorPercent: Number(formatPercent(percent)),
  };
}

/** `--vips u-1,tier=gold`: each entry as strictly as the agent takes it. */
function listOption(name: string, value: string): string[] {
  const entries = value === '' ? [] : value.split(',');
  for (const entry of entries) {
    const checked = checkListEntry(entry);
    if (!checked.ok) fail(`--${name}: ${checked.problem}`);
  }
  return entries;
}

/**
 * `--colour-rules` as the ColourRules parameter says them (the service's own rules when left out), read as
 * strictly as the configuration; `--availability-zone`, the host's, which a zone rule needs.
 */
function colouring(config: ServiceConfig, values: { 'colour-rules'?: string; 'availability-zone'?: string }) {
  const given = values['colour-rules'];
  const parsed =
    given === undefined ? { ok: true as const, rules: config.routing.colouring } : parseColourRules(given);
  if (!parsed.ok) fail(`--colour-rules: ${parsed.problem}`);
  const zone = values['availability-zone'];
  if (zone !== undefined && !patterns.availabilityZone.test(zone))
    fail(`--availability-zone must be a zone name such as eu-west-1a, not ${JSON.stringify(zone)}`);
  if (zone === undefined && parsed.rules.some((rule) => 'zone' in rule))
    fail('a zone colouring rule needs --availability-zone, the host’s zone');
  return { rules: { ...config.routing, colouring: parsed.rules }, availabilityZone: zone };
}

/** The routing proxy a steps release puts on a stable host, as the shift-traffic document renders it. */
function renderRouting(args: string[]): string {
  const { values } = parseArgs({
    args,
    options: {
      ...hostOptions,
      driver: { type: 'string' },
      'canary-port': { type: 'string', default: '80' },
      vips: { type: 'string', default: '' },
      testers: { type: 'string', default: '' },
      'colour-rules': { type: 'string' },
      'availability-zone': { type: 'string' },
      routes: { type: 'boolean', default: false },
    },
  });
  const lists = { vips: listOption('vips', values.vips), testers: listOption('testers', values.testers) };
  const config = readConfig(values.config);
  const percent = values.percent === undefined ? (config.steps.defaultSteps[0] ?? 0) : Number(values.percent);
  if (!(percent >= 0 && percent <= 100)) fail('--percent must be a number from 0 to 100, e.g. --percent 10');
  const driver = values.driver ?? config.proxy.driver;
  if (driver !== 'envoy' && driver !== 'nginx') fail('--driver must be envoy or nginx');
  const settings: RoutingSettings = {
    ...hostProxyBase(config, values),
    canaryHost: canaryHost(config, values['canary-host']),
    canaryPort: port('canary-port', values['canary-port']),
    canaryPercent: Number(formatPercent(percent)),
    ...colouring(config, values),
  };
  const state = `/var/lib/canary-agent/${config.service}`;
  const failoverLog = `${state}/routing-failover.log`;
  const canaryLog = `${state}/routing-canary.log`;
  if (driver === 'envoy' && values.routes) return routesFile(envoySettings(settings), lists);
  const routes = `${state}/routing-routes.json`;
  if (driver === 'envoy') {
    const envoy = { ...envoySettings(settings), failoverLog, canaryLog, routesFile: routes };
    return `${JSON.stringify(renderRoutingEnvoy(envoy), null, 2)}\n`;
  }
  return renderRoutingNginx(settings, {
    listsDir: `${state}/routing-lists/${listsId(lists)}`,
    pidFile: `/run/canary-agent/${config.service}-routing-nginx.pid`,
    tempDir: `/var/lib/canary-agent/${config.service}/routing-nginx-temp`,
    errorLog: `/var/lib/canary-agent/${config.service}/routing-nginx.error.log`,
    canaryLog,
    failoverLog,
    workerProcesses: 'auto',
  });
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'render-envoy':
    process.stdout.write(
      `${JSON.stringify(renderEnvoyConfig(envoySettings(proxySettings(rest))), null, 2)}\n`,
    );
    break;
  case 'render-nginx-mirror':
    process.stdout.write(
      renderMirrorNginx(
        { ...proxySettings(rest), resolver: '169.254.169.253' },
        {
          pidFile: '/run/canary-agent/mirror-nginx.pid',
          tempDir: '/var/lib/canary-agent/mirror-nginx-temp',
          errorLog: '/var/log/nginx/canary-agent-mirror.error.log',
          workerProcesses: 'auto',
        },
      ),
    );
    break;
  case 'render-routing':
    process.stdout.write(renderRouting(rest));
    break;
  case 'build-documents': {
    const check = rest.includes('--check');
    const stale: string[] = [];
    for (const [file, content] of renderDocuments()) {
      const path = join(documentsDir, file);
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {}
      if (current === content) continue;
      stale.push(file);
      if (!check) writeFileSync(path, content);
    }
    if (check && stale.length > 0)
      fail(`out of date: ${stale.join(', ')} (run npx tsx hosts/cli.ts build-documents)`);
    process.stdout.write(
      check ? 'documents up to date\n' : `written: ${stale.join(', ') || 'nothing changed'}\n`,
    );
    break;
  }
  case 'check-config': {
    const outcome = checkConfigCommand(rest);
    process.stderr.write(outcome.stderr);
    process.stdout.write(outcome.stdout);
    process.exit(outcome.exitCode);
    break;
  }
  case 'run-document': {
    const [path, ...pairs] = rest;
    if (!path) fail('usage: run-document <document.yml> Name=value ...');
    const values: Record<string, string> = {};
    for (const pair of pairs) {
      const at = pair.indexOf('=');
      if (at < 1) fail(`expected Name=value, got ${JSON.stringify(pair)}`);
      values[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const outcome = await runDocument(path, values);
    if (!outcome.ok) fail(`refused:\n  ${outcome.refused.join('\n  ')}`);
    process.stderr.write(outcome.stderr);
    process.stdout.write(outcome.stdout);
    process.exit(outcome.exitCode);
    break;
  }
  default:
    fail(
      'usage: cli.ts render-envoy | render-nginx-mirror | render-routing | build-documents [--check] | check-config <file> | run-document <doc> K=V...',
    );
}

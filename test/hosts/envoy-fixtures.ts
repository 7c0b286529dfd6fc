import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envoySettings } from '../../hosts/envoy-config';
import type { ProxySettings } from '../../hosts/proxy-settings';
import { routesFile } from '../../hosts/routing-envoy-routes';
import { type ListEntries, NO_LISTS } from '../../hosts/routing-lists';
import type { RoutingSettings } from '../../hosts/routing-settings';

/* What the proxy renderer tests share: a service's settings, ways into a rendered bootstrap, Envoy's API check. */

export const MIRROR_SETTINGS: ProxySettings = {
  service: 'orders-api',
  listenAddress: '0.0.0.0',
  listenPort: 80,
  upstreamAddress: '127.0.0.1',
  servicePort: 8080,
  connectTimeoutSeconds: 5,
  readTimeoutSeconds: 60,
  sendTimeoutSeconds: 90,
  mirrorHost: 'orders-canary-123.eu-west-1.elb.amazonaws.com',
  mirrorPort: 80,
  mirrorPercent: 2.5,
  adminPort: 9901,
  accessLog: '/var/log/nginx/access.log',
};

export const ROUTING_SETTINGS: RoutingSettings = {
  ...MIRROR_SETTINGS,
  canaryHost: MIRROR_SETTINGS.mirrorHost,
  canaryPort: 80,
  canaryPercent: 10,
  rules: {
    stickyCookie: 'uid',
    testerHeader: 'x-canary',
    testerValue: 'always',
    vipCookie: 'tier',
    vipCookieValue: 'vip',
    vipHeader: 'x-vip',
    vipHeaderValue: 'gold',
    tagHeader: 'x-canary-tag',
    tagValue: 'canary',
  },
};

// biome-ignore lint/suspicious/noExplicitAny: walking a rendered JSON document
export type Json = any;
export const hcmOf = (c: Json) => c.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
export const routesOf = (c: Json): Json[] => hcmOf(c).route_config.virtual_hosts[0].routes;
/** The routes of a routing Envoy: in its routes file (hosts/routing-envoy-routes.ts), for these live lists. */
export const routingRoutesOf = (settings: RoutingSettings, lists: ListEntries = NO_LISTS): Json[] =>
  JSON.parse(routesFile(envoySettings(settings), lists)).resources[0].virtual_hosts[0].routes;
export const clusterOf = (c: Json, name: string) =>
  c.static_resources.clusters.find((x: Json) => x.name === name);

const ENVOY_VALIDATE = join(process.cwd(), '..', 'shared', 'tools', 'envoy-validate', 'envoy-validate.mjs');

/**
 * What Envoy's own API protos say of a bootstrap (../shared/tools/envoy-validate: no Envoy binary runs here),
 * denying deprecated fields: "valid", or the problems.
 */
export function envoyValidate(config: unknown, ...flags: string[]): { said: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'ca-envoy-validate-'));
  try {
    const file = join(dir, 'envoy.json');
    writeFileSync(file, JSON.stringify(config));
    const run = spawnSync('node', [ENVOY_VALIDATE, '--deny-deprecated', ...flags, file], {
      encoding: 'utf8',
    });
    return { said: `${run.stdout}${run.stderr}`.trim(), status: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

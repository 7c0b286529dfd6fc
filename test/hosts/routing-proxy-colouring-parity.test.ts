import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseColourRules } from '../../domain/colouring';
import { envoySettings } from '../../hosts/envoy-config';
import { routesFile } from '../../hosts/routing-envoy-routes';
import { listsId, NO_LISTS, nginxListFiles } from '../../hosts/routing-lists';
import { renderRoutingNginx } from '../../hosts/routing-nginx';
import type { RoutingSettings } from '../../hosts/routing-settings';
import { freePort } from '../../local/free-port';
import { loopbackStable } from '../../local/loopback-host';
import type { Json } from './envoy-fixtures';
import { RULES } from './routing-host';

/*
 * Both drivers route the same requests the same way under colouring rules: each request of a matrix goes through a
 * real routing nginx, and through the routing Envoy's routes as Envoy matches them (first route whose header
 * matchers all hold; RE2's `(?i)` as JavaScript's `i`). Shares of 0 and 100, in the rule's zone and out of it.
 */

const COLOURING =
  'header:x-bot=1:stable,header:app=mobile,host:gray.shop.example.com,hostPrefix:beta.,cookie:beta=1,zone:eu-west-1a';
const parsed = parseColourRules(COLOURING);
if (!parsed.ok) throw new Error(parsed.problem);
const colouring = parsed.rules;

type Request = Record<string, string>;
const ATOMS: Request[] = [
  {},
  { app: 'mobile' },
  { app: 'mobile2' },
  { 'x-bot': '1' },
  { host: 'gray.shop.example.com' },
  { host: 'Gray.Shop.Example.com:8443' },
  { host: 'gray.shop.example.com.other.example' },
  { host: 'beta.orders.example.org' },
  { host: 'www.beta.example.org' },
  { cookie: 'a=1; beta=1' },
  { cookie: 'beta=10; xbeta=1' },
  { 'x-canary-tag': 'canary' },
  { 'x-canary-tag': 'bogus' },
  { 'x-canary': 'always' },
  { cookie: 'tier=vip' },
  { 'x-vip': 'gold' },
];
/** Every atom, and every pair of them (cookies joined, a later Host over an earlier one). */
const MATRIX: Request[] = ATOMS.flatMap((a, i) =>
  ATOMS.slice(i).map((b) => {
    const cookie = [a.cookie, b.cookie].filter(Boolean).join('; ');
    return { ...a, ...b, ...(cookie ? { cookie } : {}) };
  }),
);

/** Where the routing Envoy sends a request: the first route whose matchers all hold. */
function envoyRoute(routes: Json[], request: Request, percent: number, port: number): 'canary' | 'stable' {
  const value = (name: string) => {
    const key = name.toLowerCase();
    if (key === ':authority') return request.host ?? `127.0.0.1:${port}`;
    if (key === ':path') return '/orders/1';
    if (key === ':method') return 'GET';
    return request[key];
  };
  const holds = (m: Json) => {
    const v = value(m.name);
    if (v === undefined) return false;
    if ('exact' in m.string_match) return v === m.string_match.exact;
    const regex: string = m.string_match.safe_regex.regex;
    const caseless = regex.startsWith('(?i)');
    return new RegExp(`^(?:${caseless ? regex.slice(4) : regex})$`, caseless ? 'i' : '').test(v);
  };
  const route = routes.find((r) => (r.match.headers ?? []).every(holds));
  if (route.route.cluster) return route.route.cluster;
  return percent === 100 ? 'canary' : 'stable';
}

const root = mkdtempSync(join(tmpdir(), 'ca-colour-parity-'));
chmodSync(root, 0o755);
const upstreams: Server[] = [];
const ports = { stable: 0, canary: 0 };
const nginxPids: string[] = [];

/** The stand-ins behind the proxies say who they are and what tag they were sent. */
async function upstream(who: 'stable' | 'canary'): Promise<number> {
  const port = await freePort();
  const server = createServer((req, res) =>
    res.end(JSON.stringify({ who, tag: req.headers['x-canary-tag'] ?? null })),
  );
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  upstreams.push(server);
  return port;
}

async function routingNginx(percent: number, zone: string) {
  const dir = join(root, `${percent}-${zone}`);
  const listsDir = join(dir, 'lists', listsId(NO_LISTS));
  mkdirSync(listsDir, { recursive: true });
  for (const [file, text] of Object.entries(nginxListFiles(NO_LISTS)))
    writeFileSync(join(listsDir, file), text);
  const settings: RoutingSettings = {
    ...loopbackStable(await freePort(), ports.stable),
    canaryHost: '127.0.0.1',
    canaryPort: ports.canary,
    canaryPercent: percent,
    adminPort: await freePort(),
    accessLog: join(dir, 'access.log'),
    rules: { ...RULES, colouring },
    availabilityZone: zone,
  };
  const pidFile = join(dir, 'nginx.pid');
  const conf = join(dir, 'nginx.conf');
  const instance = { pidFile, tempDir: dir, errorLog: join(dir, 'error.log'), workerProcesses: '1' };
  const logs = { canaryLog: join(dir, 'canary.log'), failoverLog: join(dir, 'failover.log') };
  writeFileSync(conf, renderRoutingNginx(settings, { ...instance, ...logs, listsDir }));
  execFileSync('nginx', ['-c', conf], { stdio: 'pipe' });
  nginxPids.push(pidFile);
  return settings;
}

function through(port: number, headers: Request): Promise<{ who: string; tag: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/orders/1', headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  ports.stable = await upstream('stable');
  ports.canary = await upstream('canary');
});

afterAll(async () => {
  for (const pidFile of nginxPids) process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
  await Promise.all(upstreams.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(root, { recursive: true, force: true });
});

describe('colouring rules, nginx and Envoy', () => {
  for (const [percent, zone] of [
    [0, 'eu-west-1b'],
    [100, 'eu-west-1b'],
    [0, 'eu-west-1a'],
    [100, 'eu-west-1a'],
  ] as const) {
    it(`route ${MATRIX.length} requests alike at a share of ${percent}, in ${zone}`, async () => {
      const settings = await routingNginx(percent, zone);
      const routes: Json[] = JSON.parse(routesFile(envoySettings(settings), NO_LISTS)).resources[0]
        .virtual_hosts[0].routes;
      const seen = { canary: 0, stable: 0 };
      for (const headers of MATRIX) {
        const nginx = await through(settings.listenPort, headers);
        const envoy = envoyRoute(routes, headers, percent, settings.listenPort);
        expect(nginx, JSON.stringify(headers)).toEqual({
          who: envoy,
          tag: envoy === 'canary' ? 'canary' : null,
        });
        seen[envoy]++;
      }
      // Both ways, whatever the share: the rules and the VIPs decide for some.
      expect(seen.canary).toBeGreaterThan(10);
      expect(seen.stable).toBeGreaterThan(10);
    });
  }

  it('agree on the order: VIPs first, then a stable rule before later rules, testers and tags', async () => {
    const settings = await routingNginx(100, 'eu-west-1a');
    const routes: Json[] = JSON.parse(routesFile(envoySettings(settings), NO_LISTS)).resources[0]
      .virtual_hosts[0].routes;
    const cases: [Request, 'canary' | 'stable'][] = [
      [{ 'x-vip': 'gold', app: 'mobile' }, 'stable'],
      [{ cookie: 'tier=vip; beta=1' }, 'stable'],
      [{ 'x-bot': '1', app: 'mobile', 'x-canary': 'always', 'x-canary-tag': 'canary' }, 'stable'],
      [{ app: 'mobile' }, 'canary'],
      // In the zone of the zone rule, at 100%: every request no earlier rule kept on stable.
      [{}, 'canary'],
    ];
    for (const [headers, where] of cases) {
      expect((await through(settings.listenPort, headers)).who, JSON.stringify(headers)).toBe(where);
      expect(envoyRoute(routes, headers, 100, settings.listenPort), JSON.stringify(headers)).toBe(where);
    }
  });
});

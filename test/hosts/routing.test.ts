import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envoySettings } from '../../hosts/envoy-config';
import { renderRoutingEnvoy } from '../../hosts/routing-envoy';
import { renderRoutingNginx } from '../../hosts/routing-nginx';
import type { RoutingRules } from '../../hosts/routing-settings';
import type { RunOutcome } from '../../hosts/run-document';
import { freePort } from '../../local/free-port';
import {
  alive,
  createHost,
  destroyHost,
  docker,
  get,
  type Host,
  loopbackStable,
  occupy,
  run,
  runService,
  snapshot,
  startStableNginx,
} from '../../local/loopback-host';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { failingCanary, send as sendTo } from './traffic';

/**
 * The shift-traffic document on a loopback host, against real nginx: a stable service (1.0.0) behind the host's
 * nginx, a canary service (2.0.0) standing in for the canary ELB, and thousands of real requests.
 */
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api';
const RULES: RoutingRules = {
  stickyCookie: 'uid',
  testerHeader: 'X-Canary',
  testerValue: 'always',
  vipCookie: 'tier',
  vipCookieValue: 'vip',
  vipHeader: 'x-vip',
  vipHeaderValue: 'gold',
  tagHeader: 'x-canary-tag',
  tagValue: 'canary',
};

let host: Host;
let canary: Host;
let ports: { listen: number; service: number; canary: number; admin: number };
let params: Record<string, string>;
const routingPid = () => join(host.root, 'run', 'orders-api-routing-nginx.pid');
const routingMaster = () => Number(readFileSync(routingPid(), 'utf8').trim());

const send = (
  count: number,
  headers: (i: number) => Record<string, string>,
  keepBodies = false,
  keepAlive = true,
) => sendTo(ports.listen, count, headers, keepBodies, keepAlive);
const user = (i: number) => ({ cookie: `session=s${i}; uid=user-${i}` });
const shift = (percent: string, extra: Record<string, string> = {}, env: Record<string, string> = {}) =>
  run(host, 'shift-traffic.yml', { ...params, CanaryPercent: percent, ...extra }, env);

function expectSucceeded(
  outcome: RunOutcome,
  changed: boolean,
): asserts outcome is Extract<RunOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`refused: ${outcome.refused.join(', ')}`);
  expect(outcome.exitCode, outcome.stderr).toBe(0);
  expect(outcome.summary).toMatchObject({ ok: true, changed, operation: 'shiftTraffic' });
}

beforeAll(async () => {
  ports = {
    listen: await freePort(),
    service: await freePort(),
    canary: await freePort(),
    admin: await freePort(),
  };
  host = createHost('routing', ports.admin, { CA_MIRROR_PORT: String(ports.canary), FAKE_SERVICE_LOG: '0' });
  canary = createHost('routing-canary', await freePort(), { FAKE_SERVICE_LOG: '0' });
  params = {
    Service: 'orders-api',
    ReleaseId: 'orders-api-r7',
    ProxyDriver: 'nginx',
    ListenPort: String(ports.listen),
    ServicePort: String(ports.service),
    ConnectTimeout: '5',
    ReadTimeout: '30',
    SendTimeout: '45',
    CanaryHost: '127.0.0.1',
    StickyCookie: RULES.stickyCookie,
    TesterHeader: RULES.testerHeader,
    TesterValue: RULES.testerValue,
    VipCookie: RULES.vipCookie ?? '',
    VipCookieValue: RULES.vipCookieValue ?? '',
    VipHeader: RULES.vipHeader ?? '',
    VipHeaderValue: RULES.vipHeaderValue ?? '',
    TagHeader: RULES.tagHeader,
    TagValue: RULES.tagValue,
  };
  for (const [h, port, version] of [
    [host, ports.service, '1.0.0'],
    [canary, ports.canary, '2.0.0'],
  ] as const)
    runService(h, IMAGE, port, version);
  startStableNginx(host, loopbackStable(ports.listen, ports.service));
});

afterAll(() => {
  destroyHost(host);
  destroyHost(canary);
});

describe('shift-traffic on real nginx', () => {
  it('leaves nginx serving when the routing proxy cannot bind its admin port', async () => {
    const before = snapshot(host);
    const taken = await occupy(ports.admin);
    try {
      expectFailedAndRestored(await shift('10'), /did not (start|become ready)/);
    } finally {
      taken.close();
    }
    expect(snapshot(host)).toEqual(before);
    expect(alive(routingMasterOrNull())).toBe(false);
    expect((await get(ports.listen)).body.version).toBe('1.0.0');
  });

  it('leaves nginx serving when the routing configuration does not validate', async () => {
    const before = snapshot(host);
    expectFailedAndRestored(await shift('10', { CanaryHost: 'canary.invalid' }), /does not validate/);
    expect(snapshot(host)).toEqual(before);
    expect((await get(ports.listen)).body.version).toBe('1.0.0');
  });

  it('hands the port from nginx to the routing nginx, and a second run changes nothing', async () => {
    const before = snapshot(host);
    expectSucceeded(await shift('10'), true);
    expect(alive(before.nginx)).toBe(false);
    expect(alive(routingMaster())).toBe(true);
    const after = snapshot(host);
    expectSucceeded(await shift('10'), false);
    expect(snapshot(host)).toEqual(after);
  });

  it('renders the routing nginx from the same renderer the tests check', () => {
    const conf = readFileSync(join(host.root, 'state', 'orders-api', 'routing-nginx.conf'), 'utf8');
    const dir = join(host.root, 'state', 'orders-api');
    expect(conf).toBe(
      renderRoutingNginx(
        {
          ...loopbackStable(ports.listen, ports.service),
          canaryHost: '127.0.0.1',
          canaryPort: ports.canary,
          canaryPercent: 10,
          adminPort: ports.admin,
          rules: RULES,
        },
        {
          pidFile: routingPid(),
          tempDir: join(dir, 'routing-nginx-temp'),
          errorLog: join(dir, 'routing-nginx.error.log'),
          canaryLog: join(dir, 'routing-canary.log'),
          failoverLog: join(dir, 'routing-failover.log'),
          workerProcesses: '1',
        },
      ),
    );
  });

  it('sends 10% of users to the canary, each user always to the same version', async () => {
    const started = Date.now();
    const tally = await send(10_000, user, true);
    const elapsed = Date.now() - started;
    expect(tally.failed).toBe(0);
    const share = (tally.byVersion['2.0.0'] ?? 0) / 10_000;
    console.log(`10% share: ${tally.byVersion['2.0.0']} of 10000 to the canary in ${elapsed} ms`);
    expect(share).toBeGreaterThanOrEqual(0.08);
    expect(share).toBeLessThanOrEqual(0.12);

    // The same users again: every one gets the version they got the first time.
    const first = new Map(tally.bodies.map((b) => [b.headers?.cookie, b.version]));
    const again = await send(2_000, user, true);
    for (const b of again.bodies) expect(b.version).toBe(first.get(b.headers?.cookie));
    // Without the cookie, the client address the ELB appended decides, just as steadily.
    const client = await send(200, () => ({ 'x-forwarded-for': '198.51.100.7, 203.0.113.50' }), true);
    expect(Object.keys(client.byVersion)).toHaveLength(1);
  });

  it('tags what it sends to the canary and strips the tag from what it sends to stable', async () => {
    const tally = await send(2_000, (i) => ({ ...user(i), 'x-canary-tag': 'bogus' }), true);
    for (const b of tally.bodies) {
      if (b.version === '2.0.0') expect(b.headers?.['x-canary-tag']).toBe('canary');
      else expect(b.headers?.['x-canary-tag']).toBeUndefined();
    }
    expect(tally.bodies.some((b) => b.version === '2.0.0')).toBe(true);
  });

  it('sends every tester and every request tagged upstream to the canary', async () => {
    const testers = await send(10_000, (i) => ({ ...user(i), 'x-canary': 'always' }));
    console.log(`tester header: ${testers.byVersion['2.0.0']} of 10000 to the canary`);
    expect(testers).toMatchObject({ byVersion: { '2.0.0': 10_000 }, failed: 0 });
    const tagged = await send(2_000, (i) => ({ ...user(i), 'x-canary-tag': 'canary' }));
    expect(tagged).toMatchObject({ byVersion: { '2.0.0': 2_000 }, failed: 0 });
  });

  it('raises the share by reloading the same nginx master, without refusing a connection meanwhile', async () => {
    const master = routingMaster();
    const onCanaryAt10 = (await send(2_000, user, true)).bodies
      .filter((b) => b.version === '2.0.0')
      .map((b) => b.headers?.cookie);
    // A new connection per request: the listening socket never closes, so none may fail. Over keep-alive, the
    // workers drain before the reload (docs/hand-offs.md), so no old worker closes a connection under a request.
    const fresh = send(3_000, user, false, false);
    const reused = send(3_000, user);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const outcome = await shift('50');
    expectSucceeded(outcome, true);
    const [duringFresh, duringReused] = await Promise.all([fresh, reused]);
    console.log(
      `reload under load: ${duringFresh.failed} of 3000 failed on new connections, ${duringReused.failed} of 3000 on keep-alive ones`,
    );
    expect(duringFresh.failed).toBe(0);
    expect(duringReused.failed).toBe(0);
    expect(routingMaster()).toBe(master);
    expect(String(outcome.summary?.message)).toMatch(/reloaded/);

    const tally = await send(5_000, user, true);
    const share = (tally.byVersion['2.0.0'] ?? 0) / 5_000;
    console.log(`50% share: ${tally.byVersion['2.0.0']} of 5000 to the canary`);
    expect(share).toBeGreaterThanOrEqual(0.48);
    expect(share).toBeLessThanOrEqual(0.52);
    // Nobody who was on the canary at 10% goes back to stable at 50%.
    const now = new Map(tally.bodies.map((b) => [b.headers?.cookie, b.version]));
    for (const cookie of onCanaryAt10) if (now.has(cookie)) expect(now.get(cookie)).toBe('2.0.0');
  });

  it('keeps VIPs on stable at 100%, by cookie or by header, even when they are testers', async () => {
    expectSucceeded(await shift('100'), true);
    const everyone = await send(2_000, user);
    expect(everyone.byVersion).toEqual({ '2.0.0': 2_000 });
    const byCookie = await send(10_000, (i) => ({
      cookie: `uid=user-${i}; tier=vip`,
      'x-canary': 'always',
      'x-canary-tag': 'canary',
    }));
    console.log(`VIP cookie at 100%: ${byCookie.byVersion['2.0.0'] ?? 0} of 10000 to the canary`);
    expect(byCookie).toEqual({ byVersion: { '1.0.0': 10_000 }, failed: 0, bodies: [] });
    const byHeader = await send(2_000, (i) => ({ ...user(i), 'x-vip': 'gold' }));
    expect(byHeader.byVersion).toEqual({ '1.0.0': 2_000 });
    // A lookalike is no VIP.
    const lookalike = await send(500, (i) => ({ cookie: `uid=user-${i}; tier=vipx; xtier=vip` }));
    expect(lookalike.byVersion).toEqual({ '2.0.0': 500 });
  });

  it('keeps its share when a new configuration does not validate', async () => {
    const master = routingMaster();
    const conf = readFileSync(join(host.root, 'state', 'orders-api', 'routing-nginx.conf'), 'utf8');
    expectFailedAndRestored(await shift('25', { CanaryHost: 'canary.invalid' }), /does not validate/);
    expect(routingMaster()).toBe(master);
    expect(readFileSync(join(host.root, 'state', 'orders-api', 'routing-nginx.conf'), 'utf8')).toBe(conf);
    expect((await send(500, user)).byVersion).toEqual({ '2.0.0': 500 });
  });

  it('serves the requests of a failing canary from stable, and logs each failover', async () => {
    const failoverLog = join(host.root, 'state', 'orders-api', 'routing-failover.log');
    const failovers = () =>
      existsSync(failoverLog) ? readFileSync(failoverLog, 'utf8').split('\n').length - 1 : 0;
    // Every canary-routed request so far (testers, tagged, the share) was served by a healthy canary.
    expect(failovers()).toBe(0);
    docker(canary, 'stop', 'orders-api');
    let failing: Server | undefined;
    for (const mode of ['502', '503', 'close'] as const) {
      failing = await failingCanary(ports.canary, mode);
      try {
        const tally = await send(1_000, (i) => ({ ...user(i), 'x-canary': 'always' }));
        console.log(`canary answering ${mode}: ${JSON.stringify(tally.byVersion)}, ${tally.failed} failed`);
        expect(tally).toMatchObject({ byVersion: { '1.0.0': 1_000 }, failed: 0 });
      } finally {
        await new Promise((resolve) => failing?.close(resolve));
        failing?.closeAllConnections();
      }
    }
    const log = readFileSync(join(host.root, 'state', 'orders-api', 'routing-canary.log'), 'utf8');
    expect(log).toMatch(
      new RegExp(`"127\\.0\\.0\\.1:${ports.canary}, 127\\.0\\.0\\.1:${ports.service}" "50[23], 200"`),
    );
    // One failover line per request the canary failed (or, ejected, was not even asked): 1,000 per mode.
    expect(failovers()).toBe(3_000);
    docker(canary, 'start', 'orders-api');
  });

  it('refuses to mirror while it routes users', async () => {
    const before = snapshot(host);
    const outcome = await run(host, 'start-mirror.yml', {
      ...proxyParams(),
      MirrorHost: '127.0.0.1',
      MirrorPercent: '10',
    });
    expectFailedAndRestored(outcome, /routes users through nginx; stop routing/);
    expect(snapshot(host)).toEqual(before);
    expect(alive(routingMaster())).toBe(true);
  });

  it('hands the port back to nginx on stopMirror (rollback and restoringProxy)', async () => {
    const outcome = await run(host, 'stop-mirror.yml', proxyParams());
    expect(outcome).toMatchObject({ ok: true, exitCode: 0, summary: { ok: true, changed: true } });
    expect(String(outcome.ok && outcome.summary?.message)).toMatch(/routing nginx handed over/);
    expect(alive(routingMasterOrNull())).toBe(false);
    expect(alive(snapshot(host).nginx)).toBe(true);
    expect(existsSync(join(host.root, 'state', 'orders-api', 'routing.env'))).toBe(false);
    expect((await send(500, (i) => ({ ...user(i), 'x-canary': 'always' }))).byVersion).toEqual({
      '1.0.0': 500,
    });
  });

  it('refuses to route users while the host mirrors', async () => {
    const mirror = { ...proxyParams(), MirrorHost: '127.0.0.1', MirrorPercent: '10' };
    expect(await run(host, 'start-mirror.yml', mirror)).toMatchObject({ ok: true, exitCode: 0 });
    expectFailedAndRestored(await shift('10'), /mirrors through nginx; stop mirroring/);
    expect(alive(routingMasterOrNull())).toBe(false);
    expect(await run(host, 'stop-mirror.yml', proxyParams())).toMatchObject({ ok: true, exitCode: 0 });
    expect(alive(snapshot(host).nginx)).toBe(true);
  });

  it('renders the Envoy driver from the same renderer, VIP rules left out, and validates it before any swap', async () => {
    const before = snapshot(host);
    const seen = join(host.root, 'envoy-seen.json');
    const outcome = await shift(
      '2.5',
      { ProxyDriver: 'envoy', VipCookie: '', VipCookieValue: '', VipHeader: '', VipHeaderValue: '' },
      { FAKE_ENVOY_REJECT: '1', FAKE_ENVOY_SEEN: seen },
    );
    expectFailedAndRestored(outcome, /envoy --mode validate rejected/);
    expect(snapshot(host)).toEqual(before);
    const { vipCookie: _a, vipCookieValue: _b, vipHeader: _c, vipHeaderValue: _d, ...rules } = RULES;
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual(
      renderRoutingEnvoy({
        ...envoySettings({
          ...loopbackStable(ports.listen, ports.service),
          canaryHost: '127.0.0.1',
          canaryPort: ports.canary,
          canaryPercent: 2.5,
          adminPort: ports.admin,
          rules,
        }),
        failoverLog: join(host.root, 'state', 'orders-api', 'routing-failover.log'),
      }),
    );
  });

  it("changes a running Envoy's share through its admin API, without a restart, and only the share", async () => {
    // Envoy cannot serve here: a stand-in process holds the pid file and a stand-in admin API records calls.
    const dir = join(host.root, 'state', 'orders-api');
    const envoyParams = {
      ProxyDriver: 'envoy',
      VipCookie: '',
      VipCookieValue: '',
      VipHeader: '',
      VipHeaderValue: '',
    };
    const { vipCookie: _a, vipCookieValue: _b, vipHeader: _c, vipHeaderValue: _d, ...rules } = RULES;
    const rendered = (canaryPercent: number) =>
      `${JSON.stringify(
        renderRoutingEnvoy({
          ...envoySettings({
            ...loopbackStable(ports.listen, ports.service),
            canaryHost: '127.0.0.1',
            canaryPort: ports.canary,
            canaryPercent,
            adminPort: ports.admin,
            rules,
          }),
          failoverLog: join(dir, 'routing-failover.log'),
        }),
        null,
        2,
      )}\n`;
    writeFileSync(join(dir, 'routing-envoy.json'), rendered(10));
    writeFileSync(join(dir, 'routing.env'), 'DRIVER=envoy\nCANARY_WEIGHT=100000\n');
    const envoy = spawn('sleep', ['120'], { stdio: 'ignore' });
    writeFileSync(join(host.root, 'run', 'orders-api-routing-envoy.pid'), `${envoy.pid}\n`);
    const calls: string[] = [];
    let status = 200;
    const admin = createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => admin.listen(ports.admin, '127.0.0.1', resolve));
    try {
      expectSucceeded(await shift('25', envoyParams), true);
      expect(calls).toEqual([
        'POST /runtime_modify?canary_agent.weight.canary=250000&canary_agent.weight.stable=750000',
      ]);
      expect(readFileSync(join(dir, 'routing-envoy.json'), 'utf8')).toBe(rendered(25));
      expect(alive(envoy.pid ?? null)).toBe(true);
      expectSucceeded(await shift('25', envoyParams), false);
      expect(calls).toHaveLength(1);

      status = 500;
      expectFailedAndRestored(await shift('50', envoyParams), /did not accept the new weights/);
      expect(readFileSync(join(dir, 'routing-envoy.json'), 'utf8')).toBe(rendered(25));
      status = 200;
      expectFailedAndRestored(
        await shift('50', { ...envoyParams, ReadTimeout: '31' }),
        /other settings; stop routing/,
      );
      expect(calls).toHaveLength(2);
    } finally {
      admin.close();
      envoy.kill();
    }
  });
});

/** The parameters start-mirror and stop-mirror share with shift-traffic. */
function proxyParams(): Record<string, string> {
  const names = ['Service', 'ReleaseId', 'ProxyDriver', 'ListenPort', 'ServicePort', 'ConnectTimeout'];
  return Object.fromEntries(
    Object.entries(params).filter(([k]) => [...names, 'ReadTimeout', 'SendTimeout'].includes(k)),
  );
}

function routingMasterOrNull(): number | null {
  return existsSync(routingPid()) ? routingMaster() : null;
}

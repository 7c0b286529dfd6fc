import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listsId, NO_LISTS } from '../../hosts/routing-lists';
import { renderRoutingNginx } from '../../hosts/routing-nginx';
import { alive, docker, get, loopbackStable, occupy, snapshot } from '../../local/loopback-host';
import { type AccessLine, accessLines, parseAccessLine } from './access-log-lines';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { expectSucceeded, RULES, routingOnLoopback } from './routing-host';
import { failingCanary } from './traffic';

/*
 * Routing users on real nginx: the hand-over from nginx to the routing nginx, the share, sticky users, testers,
 * tags and VIPs, a reload under load, and failover from a failing canary. Set-up in routing-host.ts.
 */

const { host, canary, ports, routingPid, routingMaster, routingMasterOrNull, send, user, shift } =
  routingOnLoopback();

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
          accessLog: join(host.root, 'access.log'),
          rules: RULES,
        },
        {
          pidFile: routingPid(),
          tempDir: join(dir, 'routing-nginx-temp'),
          errorLog: join(dir, 'routing-nginx.error.log'),
          canaryLog: join(dir, 'routing-canary.log'),
          failoverLog: join(dir, 'routing-failover.log'),
          listsDir: join(dir, 'routing-lists', listsId(NO_LISTS)),
          workerProcesses: '1',
        },
      ),
    );
  });

  it("keeps the host's access log, each line in combined format and marked with where it was routed", async () => {
    const accessLog = join(host.root, 'access.log');
    // Plain users in the share or not, testers (canary) and VIPs who are also testers (stable).
    const who = (i: number) => (i % 20 === 0 ? 'tester' : i % 20 === 1 ? 'vip' : 'user');
    const headers = (i: number) => ({
      ...user(i),
      'user-agent': `route-check/${i}`,
      ...(who(i) === 'user' ? {} : { 'x-canary': 'always' }),
      ...(who(i) === 'vip' ? { 'x-vip': 'gold' } : {}),
    });
    const tally = await send(400, headers, true);
    expect(tally.failed).toBe(0);
    const byAgent = new Map<string, AccessLine | null>();
    await expect
      .poll(() => {
        for (const l of accessLines(accessLog).filter((l) => l.includes('"route-check/')))
          byAgent.set(/"(route-check\/\d+)"/.exec(l)?.[1] ?? '', parseAccessLine(l));
        return byAgent.size;
      })
      .toBe(400);
    const marks = { canary: 0, stable: 0 };
    for (const body of tally.bodies) {
      const agent = body.headers?.['user-agent'] ?? '';
      const i = Number(agent.split('/')[1]);
      const line = byAgent.get(agent);
      const route = body.version === '2.0.0' ? 'canary' : 'stable';
      expect(line, agent).toMatchObject({
        remoteAddr: '127.0.0.1',
        request: `GET /orders/${i} HTTP/1.1`,
        route,
      });
      expect(line?.status, agent).toBe(200);
      if (who(i) !== 'user') expect(route, agent).toBe(who(i) === 'tester' ? 'canary' : 'stable');
      marks[route]++;
    }
    // At 10%, both ways show up among 400 users.
    expect(marks.canary).toBeGreaterThan(20);
    expect(marks.stable).toBeGreaterThan(200);
    expect(accessLines(accessLog).filter((l) => l.includes('/ready'))).toEqual([]);
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

  it("passes the load balancer's X-Forwarded-Proto on to both sides, and its own scheme when there is none", async () => {
    const behindHttps = await send(400, (i) => ({ ...user(i), 'x-forwarded-proto': 'https' }), true);
    expect(behindHttps.bodies.some((b) => b.version === '2.0.0')).toBe(true);
    for (const b of behindHttps.bodies) expect(b.headers?.['x-forwarded-proto']).toBe('https');
    const direct = await send(50, user, true);
    for (const b of direct.bodies) expect(b.headers?.['x-forwarded-proto']).toBe('http');
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
    // In the host's access log, stable's answers to them stay marked as routed to the canary.
    const answered = accessLines(join(host.root, 'access.log')).slice(-3_000).map(parseAccessLine);
    expect(answered.every((l) => l?.status === 200 && l.route === 'canary')).toBe(true);
    docker(canary, 'start', 'orders-api');
  });
});

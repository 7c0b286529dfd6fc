import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listsId, nginxListFiles } from '../../hosts/routing-lists';
import type { RunOutcome } from '../../hosts/run-document';
import { get, snapshot } from '../../local/loopback-host';
import { expectSucceeded, routingOnLoopback } from './routing-host';

/*
 * Live VIP and tester lists on real nginx: the apply-routing-lists document on a host whose routing nginx routes
 * users, under load, and the shift-traffic steps that come after it. Set-up in routing-host.ts.
 */

const { host, ports, send, user, shift, applyLists, routingMaster } = routingOnLoopback();
const stateDir = () => join(host.root, 'state', 'orders-api');
const versionFor = async (headers: Record<string, string>) =>
  (await get(ports.listen, '/orders/1', headers)).body.version;

function expectApplied(
  outcome: RunOutcome,
  changed: boolean,
): asserts outcome is Extract<RunOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`refused: ${outcome.refused.join(', ')}`);
  expect(outcome.exitCode, outcome.stderr).toBe(0);
  expect(outcome.summary).toMatchObject({ ok: true, changed, operation: 'applyRoutingLists' });
}

/** Users found on each side at the current share: `uid=user-<i>`. */
const onCanary: string[] = [];
const onStable: string[] = [];

describe('live routing lists on real nginx', () => {
  it('leaves a host that routes nobody as it is', async () => {
    const before = snapshot(host);
    const outcome = await applyLists({ VipList: 'user-1', VipListVersion: '1' });
    expectApplied(outcome, false);
    expect(String(outcome.summary?.message)).toMatch(/routes no users here/);
    expect(snapshot(host)).toEqual(before);
  });

  it('hands the port over at 50% with no lists, each list file empty', async () => {
    expectSucceeded(await shift('50'), true);
    const dir = join(stateDir(), 'routing-lists', listsId({ vips: [], testers: [] }));
    for (const [file, content] of Object.entries(nginxListFiles({ vips: [], testers: [] })))
      expect(readFileSync(join(dir, file), 'utf8'), file).toBe(content);
    const tally = await send(400, user, true);
    for (const body of tally.bodies) {
      const id = /uid=(user-\d+)/.exec(body.headers?.cookie ?? '')?.[1] ?? '';
      (body.version === '2.0.0' ? onCanary : onStable).push(id);
    }
    expect(onCanary.length).toBeGreaterThan(100);
    expect(onStable.length).toBeGreaterThan(100);
  });

  it('pins a VIP added during routing to stable at once, reloading the same master with no failed request', async () => {
    const [vip, byCookie, byNetwork, byHeader] = onCanary as [string, string, string, string];
    const tester = onStable[0] as string;
    const master = routingMaster();
    // Users on both sides, over new connections and over keep-alive ones, while the lists change.
    const fresh = send(3_000, user, false, false);
    const reused = send(3_000, user);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const lists = {
      VipList: `${vip},tier=gold2,203.0.113.0/24,default`,
      VipListVersion: '1',
      TesterList: tester,
      TesterListVersion: '1',
    };
    const outcome = await applyLists(lists);
    const took = Date.now() - started;
    expectApplied(outcome, true);
    const [duringFresh, duringReused] = await Promise.all([fresh, reused]);
    console.log(
      `VIP added under load in ${took} ms: ${duringFresh.failed} of 3000 failed on new connections, ${duringReused.failed} of 3000 on keep-alive ones`,
    );
    expect(duringFresh.failed).toBe(0);
    expect(duringReused.failed).toBe(0);
    expect(routingMaster()).toBe(master);
    expect(String(outcome.summary?.message)).toMatch(/4 listed VIP\(s\) and 1 listed tester\(s\).*reloaded/);

    // The very next request of the VIP reaches stable, and every one after it.
    expect(await versionFor({ cookie: `session=s1; uid=${vip}` })).toBe('1.0.0');
    const pinned = await send(500, () => ({ cookie: `uid=${vip}` }));
    expect(pinned).toMatchObject({ byVersion: { '1.0.0': 500 }, failed: 0 });
    // By cookie, by network (the client address the ELB appended last), by the VIP header in any case.
    expect(await versionFor({ cookie: `uid=${byCookie}; tier=gold2` })).toBe('1.0.0');
    expect(await versionFor({ cookie: `uid=${byCookie}; tier=gold22` })).toBe('2.0.0');
    expect(
      await versionFor({ cookie: `uid=${byNetwork}`, 'x-forwarded-for': '198.51.100.1, 203.0.113.77' }),
    ).toBe('1.0.0');
    expect(await versionFor({ cookie: `uid=${byNetwork}`, 'x-forwarded-for': '203.0.114.77' })).toBe('2.0.0');
    expect(await versionFor({ cookie: `uid=${byHeader}`, 'x-vip': vip.toUpperCase() })).toBe('1.0.0');
    // The tester goes to the canary, unless also a VIP: VIPs win.
    expect(await send(300, () => ({ cookie: `uid=${tester}` }))).toMatchObject({
      byVersion: { '2.0.0': 300 },
    });
    expect(await versionFor({ cookie: `uid=${tester}; tier=gold2` })).toBe('1.0.0');
    // A listed `default` is one user, not the map's default: everyone else keeps the share.
    const everyone = await send(2_000, (i) => ({ cookie: `uid=other-${i}` }));
    expect((everyone.byVersion['2.0.0'] ?? 0) / 2_000).toBeGreaterThan(0.4);
    expect((everyone.byVersion['2.0.0'] ?? 0) / 2_000).toBeLessThan(0.6);
    // The files nginx includes are those hosts/routing-lists.ts makes; the folder of the old lists is gone.
    const entries = { vips: lists.VipList.split(','), testers: [tester] };
    const dir = join(stateDir(), 'routing-lists', listsId(entries));
    for (const [file, content] of Object.entries(nginxListFiles(entries)))
      expect(readFileSync(join(dir, file), 'utf8'), file).toBe(content);
    expect(readdirSync(join(stateDir(), 'routing-lists'))).toEqual([listsId(entries)]);
  });

  it('keeps the newer lists when a later step brings the lists as they were before the change', async () => {
    const vip = onCanary[0] as string;
    expectSucceeded(await shift('50'), false);
    expectSucceeded(await shift('60'), true);
    expect(await send(300, () => ({ cookie: `uid=${vip}` }))).toMatchObject({ byVersion: { '1.0.0': 300 } });
  });

  it('takes a VIP off the list again, and changes nothing when the lists are the same', async () => {
    const vip = onCanary[0] as string;
    const lists = {
      VipList: '',
      VipListVersion: '2',
      TesterList: onStable[0] as string,
      TesterListVersion: '1',
    };
    expectApplied(await applyLists(lists), true);
    // At 60% the users who were on the canary at 50% are on it again.
    expect(await send(300, () => ({ cookie: `uid=${vip}` }))).toMatchObject({ byVersion: { '2.0.0': 300 } });
    expectApplied(await applyLists(lists), false);
  });

  it('refuses an entry that is not one before anything runs', async () => {
    for (const bad of ['a b', 'u-1;touch /tmp/x', '$(id)', '10.1.2.3/33', 'tier=gold=1', '2001:db8::/32']) {
      const outcome = await applyLists({ VipList: bad, VipListVersion: '3' });
      expect(outcome.ok, bad).toBe(false);
    }
  });
});

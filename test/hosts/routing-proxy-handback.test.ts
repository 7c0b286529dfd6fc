import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alive, run, snapshot } from '../../local/loopback-host';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { expectSucceeded, routingOnLoopback } from './routing-host';

/*
 * The routing nginx and mirroring exclude each other, and stopMirror hands the port back to nginx.
 * Set-up in routing-host.ts.
 */

const { host, routingMaster, routingMasterOrNull, send, user, shift, proxyParams } = routingOnLoopback();

beforeAll(async () => {
  // Users are routed: the routing nginx holds the port (routing.test.ts tests the hand-over itself).
  expectSucceeded(await shift('10'), true);
});

describe('shift-traffic on real nginx', () => {
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
});

import { describe, expect, it } from 'vitest';
import { APPROVER, ended, REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * `strategy=mirror,steps` end to end in the sandbox: a mirrored window on real nginx hosts, the hand-back to nginx,
 * then weighted steps of real users through the routing proxy, with live traffic throughout.
 */
const session = sandboxSession('sandbox-mirror-then-steps');
const start = async (toVersion: string) => {
  const started = await session.sandbox().service.start({
    service: 'orders-api',
    toVersion,
    requestedBy: REQUESTER,
    strategy: { kind: 'steps', steps: [10, 100], mirrorFirst: true },
  });
  if (!started.ok) throw new Error(started.message);
  return started.release.id;
};
const canaryRequests = () =>
  [...session.sandbox().fleet.canaryLb.counts().values()].reduce((a, b) => a + b, 0);

describe('a mirror-then-steps release in the sandbox', () => {
  it('mirrors, then moves 10% and 100% of users, promotes, and leaves every stable host on its own nginx', async () => {
    const before = session.traffic().summary();
    const id = await start('1.4.2');
    const asked = await session
      .sandbox()
      .waitFor(id, (r) => r.state === 'awaitingApproval' || ended(r), 100_000);
    await session.sandbox().service.apply(id, { kind: 'approved', actor: APPROVER });

    const done = await session.sandbox().waitFor(id, ended, 100_000);

    const states = (await session.sandbox().store.history(id)).map((e) => e.to);
    expect(asked.state).toBe('awaitingApproval');
    expect(done.state).toBe('succeeded');
    expect(states).toContain('startingMirror');
    expect(states.indexOf('stoppingMirror')).toBeLessThan(states.indexOf('shiftingTraffic'));
    expect(await session.servingVersion()).toBe('1.4.2');
    expect(session.sandbox().fleet.stableOnOwnNginx()).toBe(true);
    expect(session.failedSince(before)).toBe(0);
  }, 120_000);

  it('rolls back from its steps phase when the canary fails real users after a clean mirrored window', async () => {
    const id = await start('1.4.3');
    // Healthy on mirrored copies; broken once users reach it.
    await session.sandbox().waitFor(id, (r) => r.state === 'shiftingTraffic' || ended(r), 100_000);
    const mirroredAt = canaryRequests();
    session.sandbox().fleet.markFaulty('1.4.3');

    const done = await session.sandbox().waitFor(id, ended, 100_000);

    const states = (await session.sandbox().store.history(id)).map((e) => e.to);
    expect(done.state).toBe('rolledBack');
    expect(done.rollback?.reason.kind).toBe('alarm');
    expect(states).toContain('shiftingTraffic');
    expect(mirroredAt).toBeGreaterThan(0);
    expect(await session.servingVersion()).toBe('1.4.2');
    expect(session.sandbox().fleet.stableOnOwnNginx()).toBe(true);
  }, 120_000);
});

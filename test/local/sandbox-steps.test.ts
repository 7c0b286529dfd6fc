import { describe, expect, it } from 'vitest';
import { ended, REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * Weighted steps end to end in the sandbox: the engine, the event bus, DynamoDB Local and the real shift-traffic,
 * promote and stop-mirror documents on nginx hosts, with live traffic (a sticky cookie per user) throughout.
 */
const session = sandboxSession('sandbox-steps');
const release = (toVersion: string) =>
  session.release({
    service: 'orders-api',
    toVersion,
    requestedBy: REQUESTER,
    strategy: { kind: 'steps', steps: [10, 100] },
  });

describe('a weighted-steps release in the sandbox', () => {
  it('walks 10% then 100% of users to the canary, promotes, and gives the hosts their own nginx back', async () => {
    const started = Date.now();
    const canaryBefore = [...session.sandbox().fleet.canaryLb.counts().values()].reduce((a, b) => a + b, 0);
    const done = await release('1.4.2');
    console.log(`steps [10, 100] release: ${done.state} in ${Date.now() - started} ms`);
    expect(done.state).toBe('succeeded');
    expect(await session.servingVersion()).toBe('1.4.2');
    expect(session.sandbox().fleet.stableOnOwnNginx()).toBe(true);
    // Real users reached the canary through the routing proxy. Alone on the machine every request succeeds;
    // the bound is loose because another sandbox's nginx left on this machine can hold the same loopback
    // address and port (SO_REUSEPORT) and take some of the connections, answering from the wrong host.
    const canaryAfter = [...session.sandbox().fleet.canaryLb.counts().values()].reduce((a, b) => a + b, 0);
    expect(canaryAfter).toBeGreaterThan(canaryBefore);
    const { sent, byStatus } = session.traffic().summary();
    console.log(
      `background traffic: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(byStatus))}`,
    );
    expect((byStatus.get(200) ?? 0) / sent).toBeGreaterThan(0.95);
  }, 60_000);

  it('rolls back from a step on the canary alarm, with every stable host on its own nginx again', async () => {
    session.sandbox().fleet.markFaulty('1.4.3');
    const started = Date.now();
    const done = await release('1.4.3');
    console.log(
      `faulty canary at 10%: ${done.state} (${done.rollback?.reason.kind}) in ${Date.now() - started} ms`,
    );
    expect(done.state).toBe('rolledBack');
    expect(done.rollback?.reason.kind).toBe('alarm');
    expect(await session.servingVersion()).toBe('1.4.2');
    expect(session.sandbox().fleet.stableOnOwnNginx()).toBe(true);
  }, 60_000);

  it('serves the users of a canary that goes down from stable, while its alarm rolls the release back', async () => {
    const before = session.traffic().summary();
    const started = await session.sandbox().service.start({
      service: 'orders-api',
      toVersion: '1.4.4',
      requestedBy: REQUESTER,
      strategy: { kind: 'steps', steps: [100] },
    });
    if (!started.ok) throw new Error(started.message);
    await session.sandbox().waitFor(started.release.id, (r) => r.state === 'verifying');
    session.sandbox().fleet.markUnhealthy('1.4.4');
    const done = await session.sandbox().waitFor(started.release.id, ended, 60_000);
    const after = session.traffic().summary();
    const statuses = (s: typeof after) => Object.fromEntries(s.byStatus);
    console.log(
      `canary down at 100%: ${done.state}; users saw ${JSON.stringify(statuses(after))} (before ${JSON.stringify(statuses(before))})`,
    );
    expect(done.state).toBe('rolledBack');
    expect(done.rollback?.reason.kind).toBe('alarm');
    // The canary answered 503 to the routing proxy, which served those users from stable instead: every request
    // sent meanwhile succeeded.
    for (const [status, count] of after.byStatus)
      if (status !== 200) expect(count, `status ${status}`).toBe(before.byStatus.get(status) ?? 0);
    expect(after.byStatus.get(200) ?? 0).toBeGreaterThan(before.byStatus.get(200) ?? 0);
    expect(await session.servingVersion()).toBe('1.4.2');
    expect(session.sandbox().fleet.stableOnOwnNginx()).toBe(true);
  }, 60_000);
});

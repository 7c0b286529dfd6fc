import { describe, expect, it } from 'vitest';
import { APPROVER, ended, REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * Promotion and its bake end to end in the sandbox: real nginx hosts behind the sandbox's load balancer, which
 * follows its target groups, with 40 requests a second of keep-alive traffic throughout.
 */
const session = sandboxSession('sandbox-bake');

describe('a promotion in the sandbox', () => {
  it('drains each batch before it swaps it: no request fails through the promotion and the bake', async () => {
    const before = session.traffic().summary();
    const done = await session.release({ service: 'orders-api', toVersion: '1.4.2', requestedBy: REQUESTER });
    expect(done.state).toBe('succeeded');
    expect(await session.servingVersion()).toBe('1.4.2');
    const failed = session.failedSince(before);
    console.log(
      `promotion and bake: ${session.traffic().summary().sent - before.sent} requests, ${failed} not 200`,
    );
    expect(failed).toBe(0);
  }, 90_000);

  it('puts the previous version back, batch by batch, when the new one fails on the whole fleet during the bake', async () => {
    const sandbox = session.sandbox();
    const started = await sandbox.service.start({
      service: 'orders-api',
      toVersion: '1.4.3',
      requestedBy: REQUESTER,
    });
    if (!started.ok) throw new Error(started.message);
    const id = started.release.id;
    await sandbox.waitFor(id, (r) => r.state === 'awaitingApproval');
    await sandbox.service.apply(id, { kind: 'approved', actor: APPROVER });
    await sandbox.waitFor(id, (r) => r.state === 'baking', 60_000);
    // Promoted everywhere, 1.4.3 now fails every live request: the live colour's alarm fires within the bake.
    sandbox.fleet.markFaulty('1.4.3');

    const done = await sandbox.waitFor(id, ended, 60_000);
    expect(done.state).toBe('rolledBack');
    expect(done.rollback?.reason.kind).toBe('alarm');
    expect(done.outOfService ?? []).toEqual([]);
    expect(await session.servingVersion()).toBe('1.4.2');
    expect(sandbox.fleet.stableOnOwnNginx()).toBe(true);
  }, 120_000);
});

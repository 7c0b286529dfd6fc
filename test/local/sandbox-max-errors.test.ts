import { describe, expect, it } from 'vitest';
import { revertInSlack } from '../../local/sandbox-person';
import { APPROVER, REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * A promotion that loses a host within `maxErrors`, and `/canary revert`, on real nginx hosts behind the sandbox's
 * load balancer (which follows its target groups), with 40 requests a second of keep-alive traffic throughout.
 * The service promotes one host at a time and tolerates one failed host.
 */
const session = sandboxSession('sandbox-max-errors', {
  configure: (config) => ({ ...config, promotion: { ...config.promotion, batchSize: '1', maxErrors: '1' } }),
});

describe('maxErrors and /canary revert in the sandbox', () => {
  it('/canary revert puts the version before back, drained batch by batch, without a failed request', async () => {
    const released = await session.release({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: REQUESTER,
    });
    expect(released.state).toBe('succeeded');
    expect(await session.servingVersion()).toBe('1.4.2');

    const before = session.traffic().summary();
    const reverted = await revertInSlack(session.sandbox(), APPROVER.id, released);

    expect(reverted).toMatchObject({
      state: 'succeeded',
      fromVersion: '1.4.2',
      toVersion: released.fromVersion,
    });
    expect(reverted.strategy.kind).toBe('revert');
    expect(await session.servingVersion()).toBe(released.fromVersion);
    const sent = session.traffic().summary().sent - before.sent;
    console.log(`revert: ${sent} requests, ${session.failedSince(before)} not 200`);
    expect(session.failedSince(before)).toBe(0);
  }, 150_000);

  it('goes on past a host whose new version fails its health check, leaves it out, names it, and loses no request', async () => {
    const sandbox = session.sandbox();
    const stable = sandbox.fleet
      .liveHosts()
      .map((h) => h.id)
      .sort();
    const failing = stable[stable.length - 1] as string;
    sandbox.fleet.markUnhealthy('1.4.3', [failing]);

    const before = session.traffic().summary();
    const done = await session.release({ service: 'orders-api', toVersion: '1.4.3', requestedBy: REQUESTER });

    expect(done.state).toBe('succeeded');
    expect(done.hostFailures).toEqual([
      expect.objectContaining({ operation: 'promote', hostId: failing, status: 'failed' }),
    ]);
    expect(done.hostFailures?.[0]?.output).toMatch(/1\.4\.3 failed its health check/);
    expect(done.outOfService).toEqual([failing]);
    expect(done.warnings.join('\n')).toContain(`promote left ${failing} out of the load balancer`);
    expect(await session.servingVersion()).toBe('1.4.3');
    const sent = session.traffic().summary().sent - before.sent;
    console.log(`promotion with a failed host: ${sent} requests, ${session.failedSince(before)} not 200`);
    expect(session.failedSince(before)).toBe(0);
  }, 150_000);
});

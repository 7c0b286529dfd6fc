import { describe, expect, it } from 'vitest';
import { BLUE_GREEN } from '../../local/sandbox-config';
import { REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * Blue/green end to end in the sandbox: the engine, the event bus, DynamoDB Local, the real deploy-idle document on
 * the idle colour's nginx hosts, the service's load balancer following its listener, and each colour's 5XX alarm
 * fed by the responses users get, with live traffic throughout.
 */
const session = sandboxSession('sandbox-blue-green');
const liveTargetGroup = () => session.sandbox().listeners.forwardsTo(BLUE_GREEN.listenerArn);
const releaseBlueGreen = (toVersion: string) =>
  session.release({
    service: 'orders-api',
    toVersion,
    requestedBy: REQUESTER,
    strategy: { kind: 'blueGreen' },
  });

describe('a blue/green release in the sandbox', () => {
  it('deploys green while blue serves, switches every user at once, and no request fails on the way', async () => {
    const before = session.traffic().summary();
    const done = await releaseBlueGreen('1.4.2');
    const after = session.traffic().summary();
    console.log(
      `blue/green to green: ${done.state}; users saw ${JSON.stringify(Object.fromEntries(after.byStatus))}`,
    );
    expect(done.state).toBe('succeeded');
    expect(liveTargetGroup()).toBe(BLUE_GREEN.green.targetGroupArn);
    expect(await session.servingVersion()).toBe('1.4.2');
    // No proxy changes hands on any host: only the load balancer's target changes, between two requests.
    for (const [status, count] of after.byStatus)
      if (status !== 200) expect(count, `status ${status}`).toBe(before.byStatus.get(status) ?? 0);
    expect(after.sent).toBeGreaterThan(before.sent);
  }, 60_000);

  it('switches back to green as soon as blue fails live requests, and says blue still holds the rejected version', async () => {
    session.sandbox().fleet.markFaulty('1.4.3');
    const before = session.traffic().summary();
    const done = await releaseBlueGreen('1.4.3');
    const endedAt = Date.now();
    const failed = (session.traffic().summary().byStatus.get(500) ?? 0) - (before.byStatus.get(500) ?? 0);
    const firedAt = session.sandbox().alarmFiredAt() ?? Number.NaN;
    console.log(
      `faulty blue: ${done.state} (${done.rollback?.reason.kind}); alarm to rolled back (seen by the test) in ${endedAt - firedAt} ms; users saw ${failed} 500s`,
    );
    expect(done.state).toBe('rolledBack');
    expect(done.rollback?.reason).toMatchObject({ kind: 'alarm', alarmName: BLUE_GREEN.blue.alarm });
    expect(liveTargetGroup()).toBe(BLUE_GREEN.green.targetGroupArn);
    expect(await session.servingVersion()).toBe('1.4.2');
    expect(done.warnings.join(' ')).toContain('blue is out of traffic and may still run 1.4.3');
  }, 60_000);

  it('runs a canary release on whichever colour is live: green is the stable fleet now', async () => {
    const done = await session.release({
      service: 'orders-api',
      toVersion: '1.4.5',
      requestedBy: REQUESTER,
      strategy: { kind: 'steps', steps: [50] },
    });
    expect(done.plan.find((s) => s.kind === 'hostOperation' && s.operation === 'promote')).toMatchObject({
      fleet: 'stable',
      targets: { 'canary-agent:fleet': 'orders-api-green' },
    });
    expect(done.state).toBe('succeeded');
    expect(await session.servingVersion()).toBe('1.4.5');
    expect(session.sandbox().fleet.stableOnOwnNginx()).toBe(true);
  }, 60_000);
});

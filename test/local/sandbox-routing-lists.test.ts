import { describe, expect, it } from 'vitest';
import { routingStep } from '../../domain/routing-lists';
import { SANDBOX_USERS } from '../../local/sandbox-config';
import { APPROVER, ended, REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * A live VIP in the sandbox: during a weighted-steps release an approver types `/canary vip add`, the Slack function
 * hands the change to the `effects` function, which writes the list and runs the apply document on the stable
 * hosts' routing nginx; the user is on stable from the next request, and stays there at the next step. Live traffic
 * (a sticky cookie per user) runs throughout.
 */
const session = sandboxSession('sandbox-routing-lists');
const NOT_AN_APPROVER = SANDBOX_USERS[3].id;

/** The version that answers `uid` on the service's load balancer, `count` times. */
async function versionsFor(uid: string, count: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${session.sandbox().stableUrl}/orders/${i}`, {
      headers: { cookie: `uid=${uid}` },
    });
    const version = response.headers.get('x-service-version') ?? String(response.status);
    seen[version] = (seen[version] ?? 0) + 1;
  }
  return seen;
}

async function typed(user: string, text: string): Promise<string> {
  const { status, reply } = await session.sandbox().slack.command(user, text);
  expect(status).toBe(200);
  return String((JSON.parse(reply ?? '{}') as { text?: string }).text ?? reply);
}

describe('a live VIP in the sandbox', () => {
  it('pins a user the canary had to stable at once during a steps release, and keeps them there at the next step', async () => {
    const up = session.sandbox();
    const started = await up.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: REQUESTER,
      strategy: { kind: 'steps', steps: [50, 100] },
    });
    if (!started.ok) throw new Error(started.message);
    const releaseId = started.release.id;
    await up.waitFor(releaseId, (r) => r.state === 'verifying');
    // A user the share sends to the canary at 50%.
    let vip = '';
    for (let i = 0; vip === '' && i < 200; i++)
      if ((await versionsFor(`sandbox-user-${i}`, 1))['1.4.2']) vip = `sandbox-user-${i}`;
    expect(await versionsFor(vip, 5)).toEqual({ '1.4.2': 5 });

    expect(await typed(NOT_AN_APPROVER, `/canary vip add orders-api ${vip}`)).toContain(
      'You may not change the VIPs',
    );
    const before = session.traffic().summary();
    const reply = await typed(APPROVER.id, `/canary vip add orders-api ${vip}`);
    expect(reply).toContain(`Adding \`${vip}\` to the VIPs of *orders-api*`);
    await up.settled();
    const failed = session.failedSince(before);
    const sent = session.traffic().summary().sent - before.sent;
    console.log(`VIP applied on the stable hosts: ${failed} of ${sent} background requests failed meanwhile`);
    expect(failed).toBe(0);

    // From the very next request on, stable answers the VIP, while the release still routes users.
    expect(await versionsFor(vip, 20)).toEqual({ '1.4.1': 20 });
    expect(routingStep(await up.store.load(releaseId))).not.toBeNull();
    expect(await typed(APPROVER.id, '/canary vip list orders-api')).toContain(`\`${vip}\``);

    // At 100% everyone else is on the canary; the VIP is not (the step carries the lists, the hosts keep them).
    const atFull = await up.waitFor(
      releaseId,
      (r) => r.state === 'verifying' && routingStep(r)?.parameters.CanaryPercent === '100',
      60_000,
    );
    expect(atFull.state).toBe('verifying');
    expect(await versionsFor(vip, 20)).toEqual({ '1.4.1': 20 });
    expect(await versionsFor('someone-else', 5)).toEqual({ '1.4.2': 5 });

    await up.waitFor(releaseId, (r) => r.state === 'awaitingApproval' || ended(r), 60_000);
    await up.service.apply(releaseId, { kind: 'approved', actor: APPROVER });
    expect((await up.waitFor(releaseId, ended, 60_000)).state).toBe('succeeded');
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { BLUE_GREEN, blueGreenConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { CURRENT, memberConfig, NEXT, requester } from './group-fixtures';

/*
 * A blue/green service in a group: the group releases it in steps on its live colour, whose hosts are its stable
 * fleet (the listener stays where it is), so its routing proxies can keep tagged requests on its canary.
 */
const ordersBlueGreen = blueGreenConfig({
  alarms: { canary: ['orders-api-canary-5xx'], stable: ['orders-api-stable-health'] },
});

function withListenerOn(targetGroupArn: string) {
  return harness({
    configs: [memberConfig('front'), ordersBlueGreen],
    versions: { front: CURRENT.front ?? '', 'orders-api': CURRENT['orders-api'] ?? '' },
    listeners: { [BLUE_GREEN.listenerArn]: targetGroupArn },
  });
}

const start = (h: ReturnType<typeof harness>) =>
  h.service.startGroup({
    versions: [
      { service: 'front', version: NEXT.front ?? '' },
      { service: 'orders-api', version: NEXT['orders-api'] ?? '' },
    ],
    requestedBy: requester,
    steps: [100],
  });

describe('a blue/green member of a group', () => {
  it("is released in steps on its live colour: its stable operations select that colour's hosts, judged by its alarms", async () => {
    const h = withListenerOn(BLUE_GREEN.green.targetGroupArn);
    const started = await start(h);
    if (!started.ok) throw new Error(started.message);
    const id = started.release.id;
    const release = await h.load(id);
    expect(release.policy.watchedAlarms).toEqual(expect.arrayContaining(['orders-api-green-5xx']));
    expect(release.policy.watchedAlarms).not.toContain('orders-api-blue-5xx');

    for (let i = 0; i < 2; i++) await h.finishCommand('deployCanary');
    for (let i = 0; i < 2; i++) await h.finishCommand('shiftTraffic');
    await h.elapseWindow(id);
    expect(await h.load(id)).toMatchObject({ state: 'awaitingApproval' });
    const routing = h.commands.find(
      (c) => c.operation.operation === 'shiftTraffic' && c.operation.parameters.Service === 'orders-api',
    );
    expect(routing?.operation.targets).toEqual(BLUE_GREEN.green.tags);

    const promote = release.plan.find(
      (s) => s.kind === 'hostOperation' && s.operation === 'promote' && s.member === 'orders-api',
    );
    // Promoted in place, batch by batch out of the live colour's target group.
    expect(promote).toMatchObject({
      targets: BLUE_GREEN.green.tags,
      drain: { targetGroupArns: [BLUE_GREEN.green.targetGroupArn] },
    });
    // The listener was never switched: the group promotes the live colour's hosts in place.
    expect(await h.listeners.liveTargetGroup({ listenerArn: BLUE_GREEN.listenerArn })).toBe(
      BLUE_GREEN.green.targetGroupArn,
    );
  });

  it('refuses the group, naming the member, when its listener forwards to neither colour', async () => {
    const h = withListenerOn(
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/other/0000000000000001',
    );
    const started = await start(h);
    expect(started).toMatchObject({ ok: false, reason: 'member-cannot-route' });
    if (started.ok) return;
    expect(started.message).toContain('orders-api cannot be in a group release');
    expect(h.commands).toEqual([]);
  });
});

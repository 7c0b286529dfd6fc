import { describe, expect, it } from 'vitest';
import { describeStrategy } from '../../domain/release-request';
import { APPROVER, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

/* `strategy=mirror,steps:…`: a mirrored window first, then weighted steps of real users, in one release. */

const requester = { kind: 'person', id: REQUESTER } as const;
const approver = { kind: 'person', id: APPROVER } as const;
type Harness = ReturnType<typeof harness>;

async function startMirrorThenSteps(h: Harness, percent?: number) {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
    strategy: { kind: 'steps', steps: [10, 100], mirrorFirst: true },
    ...(percent === undefined ? {} : { percent }),
  });
  if (!started.ok) throw new Error(started.message);
  return started.release.id;
}

const operations = (h: Harness) => h.commands.map((c) => c.operation.operation);
const fire = (h: Harness, id: string) =>
  h.service.apply(id, {
    kind: 'alarmChanged',
    alarmName: 'orders-api-canary-5xx',
    state: 'ALARM',
    reason: '5XX',
    at: h.now(),
  });

describe('a release that mirrors, then moves users in steps', () => {
  it('mirrors for a window, hands the port back to nginx, then routes 10% and 100% of users, then promotes', async () => {
    const h = harness({
      configs: [
        serviceConfig({
          alarms: {
            canary: ['orders-api-canary-5xx'],
            stable: ['orders-api-stable-health'],
            failover: 'orders-api-failover',
          },
        }),
      ],
    });
    const id = await startMirrorThenSteps(h, 5);
    const planned = await h.load(id);
    expect(planned.plan.map((s) => s.state)).toEqual([
      'deployingCanary',
      'startingMirror',
      'verifying',
      'stoppingMirror',
      'shiftingTraffic',
      'verifying',
      'shiftingTraffic',
      'verifying',
      'awaitingApproval',
      'promoting',
      'restoringProxy',
      'cleaningUp',
    ]);
    expect(describeStrategy(planned.strategy)).toBe('mirroring 5%, then in steps of 10% → 100%');

    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
    expect(h.lastCommand('startMirror').operation.parameters.MirrorPercent).toBe('5');
    // Mirrored requests are never failed over: the mirrored window is judged without the failover alarm.
    const mirrored = await h.load(id);
    expect(mirrored.run?.kind === 'validate' && mirrored.run.step.alarms).toEqual([
      'orders-api-canary-5xx',
      'orders-api-stable-health',
    ]);
    await h.elapseWindow(id);
    await h.finishCommand('stopMirror');
    await h.finishCommand('shiftTraffic');
    const routed = await h.load(id);
    expect(routed.run?.kind === 'validate' && routed.run.step.alarms).toContain('orders-api-failover');
    await h.elapseWindow(id);
    await h.finishCommand('shiftTraffic');
    await h.elapseWindow(id);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('promote');
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');

    expect((await h.load(id)).state).toBe('succeeded');
    expect(operations(h)).toEqual([
      'deployCanary',
      'startMirror',
      'stopMirror',
      'shiftTraffic',
      'shiftTraffic',
      'promote',
      'stopMirror',
      'removeCanary',
    ]);
  });

  it('rolls back from the mirrored window: the mirror off, the canary removed, no user ever routed', async () => {
    const h = harness();
    const id = await startMirrorThenSteps(h);
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');

    await fire(h, id);
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.exposure).toEqual([]);
    expect(operations(h)).toEqual(['deployCanary', 'startMirror', 'stopMirror', 'removeCanary']);
  });

  it('rolls back from a step: the routing proxy off and the canary removed, the stable version never touched', async () => {
    const h = harness();
    const id = await startMirrorThenSteps(h);
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
    await h.elapseWindow(id);
    await h.finishCommand('stopMirror');
    await h.finishCommand('shiftTraffic');

    await fire(h, id);
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.exposure).toEqual([]);
    expect(operations(h).slice(-3)).toEqual(['shiftTraffic', 'stopMirror', 'removeCanary']);
    expect(operations(h)).not.toContain('restoreStable');
  });

  it('refuses it, as mirroring, for a service nobody confirmed as safe to mirror, and a share outside bounds', async () => {
    const unsafe = harness({ configs: [serviceConfig({ mirror: {} })] });
    const h = harness();

    const refused = await unsafe.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'steps', mirrorFirst: true },
    });
    const tooMuch = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'steps', mirrorFirst: true },
      percent: 80,
    });

    expect(refused).toMatchObject({ ok: false, reason: 'mirror-not-acknowledged' });
    expect(tooMuch).toMatchObject({ ok: false, reason: 'percent-out-of-bounds' });
  });
});

import { describe, expect, it } from 'vitest';
import { APPROVER, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

const requester = { kind: 'person', id: REQUESTER } as const;
const approver = { kind: 'person', id: APPROVER } as const;
type Harness = ReturnType<typeof harness>;

async function startInSteps(h: Harness, steps = [10, 50, 100]) {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
    strategy: { kind: 'steps', steps },
  });
  if (!started.ok) throw new Error(started.message);
  return started.release.id;
}

/** Runs one step: the share is shifted on the hosts, then the bake window passes with alarms quiet. */
async function passStep(h: Harness, id: string) {
  await h.finishCommand('shiftTraffic');
  await h.elapseWindow(id);
}

const shares = (h: Harness) =>
  h.commands
    .filter((c) => c.operation.operation === 'shiftTraffic')
    .map((c) => c.operation.parameters.CanaryPercent);

describe('a release in weighted steps', () => {
  it('raises the share step by step, promotes in batches, then gives the stable hosts their own nginx back', async () => {
    const h = harness();
    const id = await startInSteps(h);
    await h.finishCommand('deployCanary');

    for (let step = 0; step < 3; step++) await passStep(h, id);
    expect((await h.load(id)).state).toBe('awaitingApproval');
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('promote');
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('succeeded');
    expect(shares(h)).toEqual(['10', '50', '100']);
    expect(h.commands.map((c) => c.operation.operation)).toEqual([
      'deployCanary',
      'shiftTraffic',
      'shiftTraffic',
      'shiftTraffic',
      'promote',
      'stopMirror',
      'removeCanary',
    ]);
    expect(h.lastCommand('promote').operation.rateControl).toEqual({ maxConcurrency: '25%', maxErrors: '0' });
    expect(h.lastCommand('shiftTraffic').operation.parameters).toMatchObject({
      StickyCookie: 'uid',
      TesterHeader: 'x-canary',
      TagHeader: 'x-canary-tag',
      VipCookie: '',
    });
  });

  it.each([0, 1, 2])('rolls back to 0%% when the alarm fires during step %i', async (failingStep) => {
    const h = harness();
    const id = await startInSteps(h);
    await h.finishCommand('deployCanary');
    for (let step = 0; step < failingStep; step++) await passStep(h, id);
    await h.finishCommand('shiftTraffic');

    await h.service.apply(id, {
      kind: 'alarmChanged',
      alarmName: 'orders-api-canary-5xx',
      state: 'ALARM',
      reason: '5XX',
      at: h.now(),
    });
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.exposure).toEqual([]);
    expect(shares(h)).toHaveLength(failingStep + 1);
  });

  it('asks for approval at every step when the service wants it', async () => {
    const h = harness({ configs: [serviceConfig({ steps: { approveEachStep: true } })] });
    const id = await startInSteps(h, [25, 100]);
    await h.finishCommand('deployCanary');

    await passStep(h, id);

    expect((await h.load(id)).state).toBe('awaitingApproval');
    await h.service.apply(id, { kind: 'approved', actor: approver });
    expect((await h.load(id)).state).toBe('shiftingTraffic');
  });

  it('takes back the routing proxy before restoring the old version when promotion fails', async () => {
    const h = harness();
    const id = await startInSteps(h, [100]);
    await h.finishCommand('deployCanary');
    await passStep(h, id);
    await h.service.apply(id, { kind: 'approved', actor: approver });

    await h.finishCommand('promote', 'failed');
    await h.finishCommand('stopMirror');
    await h.finishCommand('restoreStable');
    await h.finishCommand('removeCanary');

    expect(h.commands.map((c) => c.operation.operation).slice(-4)).toEqual([
      'promote',
      'stopMirror',
      'restoreStable',
      'removeCanary',
    ]);
    expect((await h.load(id)).state).toBe('rolledBack');
  });

  it.each([
    [[50, 10], 'rising'],
    [[0, 120], 'between 0 and 100'],
    [[], 'rising'],
  ])('refuses steps %j', async (steps) => {
    const h = harness();

    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'steps', steps },
    });

    expect(started).toMatchObject({ ok: false, reason: 'invalid-steps' });
    expect(!started.ok && started.message).toMatch(/steps:5,25,50,100/);
  });

  it('releases in steps a service nobody confirmed as safe to mirror', async () => {
    const h = harness({ configs: [serviceConfig({ mirror: {} })] });

    const mirrored = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
    });
    const stepped = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'steps' },
    });

    expect(mirrored).toMatchObject({ ok: false, reason: 'mirror-not-acknowledged' });
    expect(stepped.ok && stepped.release.strategy).toEqual({
      kind: 'steps',
      steps: [5, 25, 50, 100],
      bakeSeconds: 900,
    });
  });
});

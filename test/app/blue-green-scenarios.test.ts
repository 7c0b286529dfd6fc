import { describe, expect, it } from 'vitest';
import { describeNotice } from '../../domain/notice';
import type { EffectHandOff } from '../../domain/ports';
import { APPROVER, BLUE_GREEN, blueGreenConfig, REQUESTER } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

const requester = { kind: 'person', id: REQUESTER } as const;
const approver = { kind: 'person', id: APPROVER } as const;
const { listenerArn, blue, green } = BLUE_GREEN;
type Harness = ReturnType<typeof harness>;

function blueGreenHarness() {
  return harness({ configs: [blueGreenConfig()], listeners: { [listenerArn]: blue.targetGroupArn } });
}

async function startBlueGreen(h: Harness, toVersion = '1.4.2') {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion,
    requestedBy: requester,
    strategy: { kind: 'blueGreen' },
  });
  if (!started.ok) throw new Error(started.message);
  return started.release.id;
}

const alarm = (h: Harness, alarmName: string) =>
  ({
    kind: 'alarmChanged',
    alarmName,
    state: 'ALARM',
    reason: 'Threshold Crossed: 5XX',
    at: h.now(),
  }) as const;

describe('a blue/green release', () => {
  it('deploys the idle colour, switches the listener to it, watches it, and keeps the old colour as the way back', async () => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    expect((await h.load(id)).state).toBe('deployingIdle');
    const deploy = h.lastCommand('deployIdle').operation;
    expect(deploy).toMatchObject({ fleet: 'green', targets: green.tags, parameters: { Version: '1.4.2' } });
    expect(h.listeners.forwardsTo(listenerArn)).toBe(blue.targetGroupArn);

    await h.finishCommand('deployIdle');
    expect(h.listeners.forwardsTo(listenerArn)).toBe(green.targetGroupArn);
    const verifying = await h.load(id);
    expect(verifying.state).toBe('verifying');
    expect(verifying.trafficSince).toBeDefined();
    // The new colour is judged by its own alarms (and the service's), not by the canary's.
    expect(verifying.policy.watchedAlarms).toEqual(['orders-api-green-5xx', 'orders-api-stable-health']);
    expect(h.recordedVersions).toEqual([{ service: 'orders-api', version: '1.4.2' }]);

    await h.elapseWindow(id);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    const done = await h.load(id);
    expect(done.state).toBe('succeeded');
    expect(done.exposure).toEqual(['listenerSwitched']);
    expect(h.commands.map((c) => c.operation.operation)).toEqual(['deployIdle']);
    expect(h.listeners.switches).toEqual([
      { listenerArn, from: blue.targetGroupArn, to: green.targetGroupArn },
    ]);

    // The next release starts from the colour now live: blue is idle, so blue gets the new version.
    const next = await startBlueGreen(h, '1.4.3');
    const again = await h.load(next);
    expect(again).toMatchObject({
      fromVersion: '1.4.2',
      strategy: { kind: 'blueGreen', from: 'green', to: 'blue' },
    });
    expect(h.lastCommand('deployIdle').operation.targets).toEqual(blue.tags);
  });

  it('switches the listener back as soon as the new colour alarms, and records the old version again', async () => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    await h.finishCommand('deployIdle');

    await h.service.apply(id, alarm(h, 'orders-api-green-5xx'));
    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'alarm', alarmName: 'orders-api-green-5xx' });
    expect(h.listeners.forwardsTo(listenerArn)).toBe(blue.targetGroupArn);
    expect(h.recordedVersions.map((r) => r.version)).toEqual(['1.4.2', '1.4.1']);
    expect(release.exposure).toEqual([]);
  });

  it('ignores the idle colour’s alarm while it deploys (no user is on it), but not once it is live', async () => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    await h.service.apply(id, alarm(h, 'orders-api-green-5xx'));
    expect((await h.load(id)).state).toBe('deployingIdle');
  });

  it.each([
    ['the deploy to the idle colour fails', 'deployingIdle'],
    ['a person rejects the new colour', 'awaitingApproval'],
    ['the window ends with the alarm firing', 'verifying'],
  ] as const)('rolls back when %s (from %s)', async (_what, from) => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    if (from === 'deployingIdle') {
      await h.finishCommand('deployIdle', 'failed');
    } else if (from === 'verifying') {
      await h.finishCommand('deployIdle');
      h.setAlarm('orders-api-green-5xx', 'ALARM');
      await h.elapseWindow(id);
    } else {
      await h.finishCommand('deployIdle');
      await h.elapseWindow(id);
      expect((await h.load(id)).state).toBe('awaitingApproval');
      await h.service.apply(id, { kind: 'rejected', actor: approver });
    }
    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(h.listeners.forwardsTo(listenerArn)).toBe(blue.targetGroupArn);
    expect(h.versions.get('orders-api')).toBe('1.4.1');
    // Nothing was switched when the deploy failed; otherwise exactly once there and once back.
    expect(h.listeners.switches).toHaveLength(from === 'deployingIdle' ? 0 : 2);
  });

  it('waits for a running deploy to end before it declares an aborted release rolled back', async () => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    await h.service.apply(id, { kind: 'abortRequested', actor: requester });
    const { commandId } = h.lastCommand('deployIdle');
    expect(h.cancelled).toEqual([commandId]);
    expect((await h.load(id)).state).toBe('rollingBack');
    await h.finishCommand('deployIdle', 'cancelled');
    expect((await h.load(id)).state).toBe('rolledBack');
    expect(h.listeners.switches).toEqual([]);
  });

  it('rolls back without touching the listener when a person moved it, and says why', async () => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    const elsewhere =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/maintenance/0000000000000001';
    h.listeners.pointAt(listenerArn, elsewhere);
    await h.finishCommand('deployIdle');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'listenerSwitchFailed' });
    expect(h.listeners.forwardsTo(listenerArn)).toBe(elsewhere);
    expect(h.notices.map((n) => describeNotice(n.notice.notice)).join('\n')).toContain(
      'it was changed by someone else',
    );
  });

  it('stops in rollbackFailed when the switch back is refused, and switches back on Retry once the listener is fixed', async () => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    await h.finishCommand('deployIdle');
    const elsewhere =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/maintenance/0000000000000001';
    h.listeners.pointAt(listenerArn, elsewhere);

    await h.service.apply(id, alarm(h, 'orders-api-green-5xx'));
    const failed = await h.load(id);
    expect(failed.state).toBe('rollbackFailed');
    expect(failed.rollback?.failure?.output).toContain('not to');
    expect(
      h.notices.some((n) => n.release.state === 'rollbackFailed' && n.notice.severity === 'critical'),
    ).toBe(true);

    h.listeners.pointAt(listenerArn, green.targetGroupArn);
    await h.service.apply(id, { kind: 'rollbackRetried', actor: approver });
    expect((await h.load(id)).state).toBe('rolledBack');
    expect(h.listeners.forwardsTo(listenerArn)).toBe(blue.targetGroupArn);
  });

  it('retries a throttled switch from the outbox, and an abort meanwhile waits for it and then switches back', async () => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    h.failListenerCalls(1);
    await h.finishCommand('deployIdle');
    expect((await h.load(id)).state).toBe('switchingListener');
    expect(h.failedEffects.map((e) => e.effect.kind)).toEqual(['switchListener']);

    await h.service.apply(id, { kind: 'abortRequested', actor: requester });
    expect((await h.load(id)).run).toMatchObject({ cancelRequested: true });
    h.advance(61);
    await h.service.sweep();

    expect((await h.load(id)).state).toBe('rolledBack');
    expect(h.listeners.forwardsTo(listenerArn)).toBe(blue.targetGroupArn);
    expect(h.listeners.switches.map((s) => s.to)).toEqual([green.targetGroupArn, blue.targetGroupArn]);
  });

  it('never runs a switch the release gave up on: a stale retry after the switch back leaves the listener alone', async () => {
    const h = blueGreenHarness();
    const id = await startBlueGreen(h);
    h.failListenerCalls(1);
    await h.finishCommand('deployIdle');
    // No report before the switch's deadline: the release gives up on it and switches back (a no-op here).
    h.advance(301);
    await h.service.sweep(100_000);
    expect((await h.load(id)).state).toBe('rolledBack');

    // The forward switch is still in the outbox; its rerun must not move the listener to the rejected colour.
    h.advance(120);
    await h.service.sweep();
    expect(h.listeners.forwardsTo(listenerArn)).toBe(blue.targetGroupArn);
    expect(h.listeners.switches).toEqual([]);
    expect(await h.store.pendingEffectsOf(id)).toEqual([]);
  });

  it('hands the switch off like any effect: the Slack side records the approval, the effects worker switches', async () => {
    const h = blueGreenHarness();
    const handedOff: string[] = [];
    const handOff: EffectHandOff = { handOff: async (releaseId) => void handedOff.push(releaseId) };
    const slackSide = h.handingOff(handOff);
    const started = await slackSide.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'blueGreen' },
    });
    if (!started.ok) throw new Error(started.message);
    expect(h.commands).toEqual([]);
    await h.service.runPending(started.release.id);
    await h.finishCommand('deployIdle');
    expect(h.listeners.forwardsTo(listenerArn)).toBe(green.targetGroupArn);
  });
});

describe('blue/green on a shared load balancer', () => {
  it('switches the service’s listener rule, and leaves the listener’s default action to the other services', async () => {
    const { ruleArn } = BLUE_GREEN;
    const h = harness({
      configs: [blueGreenConfig({}, { ruleArn })],
      listeners: { [listenerArn]: 'arn:default-action-of-other-services', [ruleArn]: blue.targetGroupArn },
    });
    const id = await startBlueGreen(h);
    await h.finishCommand('deployIdle');
    expect(h.listeners.forwardsTo(ruleArn)).toBe(green.targetGroupArn);
    await h.service.apply(id, alarm(h, 'orders-api-green-5xx'));

    expect((await h.load(id)).state).toBe('rolledBack');
    expect(h.listeners.forwardsTo(ruleArn)).toBe(blue.targetGroupArn);
    expect(h.listeners.forwardsTo(listenerArn)).toBe('arn:default-action-of-other-services');
  });
});

import { describe, expect, it } from 'vitest';
import { describeNotice } from '../../domain/notice';
import type { Effect } from '../../domain/types';
import { serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { approver, type Harness, startOrders, toApproval } from './scenarios-fixtures';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0000000000000b1e';
const TG2 = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-admin/0000000000000b1f';
const HOSTS = ['i-01', 'i-02', 'i-03', 'i-04'];

type RunHostOperation = Extract<Effect, { kind: 'runHostOperation' }>;

/** orders-api behind one or two target groups, brought to the end of its stopMirror, so promotion starts. */
async function toPromotion(
  options: {
    batchSize?: string;
    maxErrors?: string;
    drainSeconds?: number;
    groups?: string[];
    hosts?: string[];
  } = {},
) {
  const groups = options.groups ?? [TG];
  const config = serviceConfig({
    fleets: {
      stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' }, targetGroupArns: groups },
      canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } },
    },
    promotion: { batchSize: options.batchSize ?? '50%', maxErrors: options.maxErrors ?? '0' },
  });
  const h = harness({
    configs: [config],
    targetGroups: Object.fromEntries(groups.map((arn) => [arn, options.hosts ?? HOSTS])),
    ...(options.drainSeconds ? { drainSeconds: options.drainSeconds } : {}),
  });
  const id = await startOrders(h);
  await toApproval(h, id);
  await h.service.apply(id, { kind: 'approved', actor: approver });
  await h.finishCommand('stopMirror');
  return { h, id };
}

function promotions(h: Harness): RunHostOperation[] {
  return h.commands.filter((c) => c.operation.operation === 'promote').map((c) => c.operation);
}

/** SSM reports the batch's hosts (failing the named ones) and the command. */
async function finishBatch(h: Harness, failing: readonly string[] = []) {
  const { commandId, operation } = h.lastCommand('promote');
  for (const hostId of operation.instanceIds ?? []) {
    const status = failing.includes(hostId) ? 'failed' : 'success';
    await h.service.applyToCommand(commandId, { kind: 'hostCommandFinished', commandId, hostId, status });
  }
  const status = failing.length > 0 ? 'failed' : 'success';
  return h.service.applyToCommand(commandId, { kind: 'commandFinished', commandId, status });
}

function said(h: Harness): string[] {
  return h.notices.map((n) => describeNotice(n.notice.notice));
}

describe('a promotion behind target groups drains each batch before it touches it', () => {
  it('takes each batch out, swaps only it, puts it back healthy, then the next; the rest keep serving', async () => {
    const { h, id } = await toPromotion();

    // Batch 1 is out of the load balancer before its command is sent; the other two hosts serve.
    expect(h.targetGroups.serving(TG)).toEqual(['i-03', 'i-04']);
    expect(promotions(h).map((p) => p.instanceIds)).toEqual([['i-01', 'i-02']]);
    expect(promotions(h)[0]?.rateControl).toEqual({ maxConcurrency: '2', maxErrors: '0' });
    expect((await h.load(id)).outOfService).toEqual(['i-01', 'i-02']);

    await finishBatch(h);
    expect(h.targetGroups.serving(TG)).toEqual(['i-01', 'i-02']);
    expect(promotions(h).map((p) => p.instanceIds)).toEqual([
      ['i-01', 'i-02'],
      ['i-03', 'i-04'],
    ]);
    await finishBatch(h);

    expect(h.targetGroups.serving(TG)).toEqual(HOSTS);
    expect(h.targetGroups.calls().map((c) => `${c.action} ${c.instanceIds.join(',')}`)).toEqual([
      'drain i-01,i-02',
      'admit i-01,i-02',
      'drain i-03,i-04',
      'admit i-03,i-04',
    ]);
    const release = await h.load(id);
    expect(release.state).toBe('cleaningUp');
    expect(release.outOfService).toEqual([]);
    expect(h.recordedVersions).toEqual([{ service: 'orders-api', version: '1.4.2' }]);
    expect(said(h)).toContain(
      'promote batch 1 of 2: taking i-01, i-02 out of the load balancer before touching them.',
    );
  });

  it('takes a successful command for the hosts whose own reports came before its id was known', async () => {
    const { h, id } = await toPromotion();
    const { commandId } = h.lastCommand('promote');
    await h.service.applyToCommand(commandId, { kind: 'commandFinished', commandId, status: 'success' });

    expect(h.targetGroups.serving(TG)).toEqual(['i-01', 'i-02']);
    expect((await h.load(id)).run?.kind).toBe('hostOperation');
    expect(promotions(h).map((p) => p.instanceIds)).toEqual([
      ['i-01', 'i-02'],
      ['i-03', 'i-04'],
    ]);
  });

  it('never takes every host out at once, whatever the batch size', async () => {
    const { h } = await toPromotion({ batchSize: '100%' });
    expect(promotions(h)[0]?.instanceIds).toEqual(['i-01', 'i-02', 'i-03']);
    expect(h.targetGroups.serving(TG)).toEqual(['i-04']);
  });

  it('never sends Run Command more than the 50 instance ids it takes, however large the batch asked', async () => {
    const fleet = Array.from({ length: 120 }, (_, i) => `i-${String(i + 1).padStart(3, '0')}`);
    const { h } = await toPromotion({ batchSize: '100%', hosts: fleet });
    expect(promotions(h)[0]?.instanceIds).toEqual(fleet.slice(0, 50));
    expect(h.targetGroups.serving(TG)).toHaveLength(70);
    await finishBatch(h);
    await finishBatch(h);
    expect(promotions(h).map((p) => p.instanceIds?.length)).toEqual([50, 50, 20]);
  });

  it('drains out of every target group the service names', async () => {
    const { h } = await toPromotion({ groups: [TG, TG2], batchSize: '1' });
    expect(h.targetGroups.serving(TG)).toEqual(['i-02', 'i-03', 'i-04']);
    expect(h.targetGroups.serving(TG2)).toEqual(['i-02', 'i-03', 'i-04']);
  });

  it('waits out the deregistration delay with a timer, and an early timer changes nothing', async () => {
    const { h, id } = await toPromotion({ drainSeconds: 300 });
    expect(promotions(h)).toEqual([]);
    const [timerId, timer] = [...h.timers.entries()].find(([t]) => t.endsWith('.wait')) ?? [];
    if (timerId === undefined || timer === undefined) throw new Error('no drain timer');
    expect(Date.parse(timer.at) - Date.parse(h.now())).toBe(300_000);

    const early = await h.service.apply(id, { kind: 'timerElapsed', timerId });
    expect(early.ok && early.changed).toBe(false);
    expect(promotions(h)).toEqual([]);

    await h.fireTimer(id, (t) => t === timerId);
    expect(promotions(h).map((p) => p.instanceIds)).toEqual([['i-01', 'i-02']]);
  });

  it('keeps a host whose swap failed out of the load balancer, within maxErrors, and says so', async () => {
    const { h, id } = await toPromotion({ batchSize: '1', maxErrors: '1' });
    await finishBatch(h, ['i-01']);
    for (let batch = 2; batch <= 4; batch++) await finishBatch(h);

    const release = await h.load(id);
    expect(release.state).toBe('cleaningUp');
    expect(release.outOfService).toEqual(['i-01']);
    expect(h.targetGroups.serving(TG)).toEqual(['i-02', 'i-03', 'i-04']);
    expect(release.warnings.join('\n')).toContain('promote left i-01 out of the load balancer');
  });

  it('stops rather than drain the last host serving when the others failed within maxErrors, and restores the failed one first', async () => {
    const { h, id } = await toPromotion({ batchSize: '1', maxErrors: '1', hosts: ['i-01', 'i-02'] });
    await finishBatch(h, ['i-01']);

    let release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'hostOperationFailed', hostId: 'i-01' });
    // i-02 never left: it is the only host users have.
    expect(h.targetGroups.serving(TG)).toEqual(['i-02']);
    expect(promotions(h).map((p) => p.instanceIds)).toEqual([['i-01']]);
    expect(said(h)).toContain(
      'promote batch 2 of 2 would take i-02 out, the last host serving: i-01 failed and is out of the load balancer; rolling back.',
    );

    // The rollback swaps the host that serves no one first, and drains i-02 only once i-01 is back.
    expect(h.lastCommand('restoreStable').operation.instanceIds).toEqual(['i-01']);
    expect(h.targetGroups.serving(TG)).toEqual(['i-02']);
    await h.finishCommand('restoreStable', 'success', ['i-01']);
    expect(h.targetGroups.serving(TG)).toEqual(['i-01']);
    await h.finishCommand('restoreStable', 'success', ['i-02']);

    release = await h.load(id);
    expect(h.targetGroups.serving(TG)).toEqual(['i-01', 'i-02']);
    expect(release.outOfService).toEqual([]);
  });

  it('names a host whose failure came only with its command’s end, and adds its output when its own report comes late', async () => {
    const { h, id } = await toPromotion({ batchSize: '1', maxErrors: '1' });
    const { commandId } = h.lastCommand('promote');
    await h.service.applyToCommand(commandId, { kind: 'commandFinished', commandId, status: 'failed' });

    let release = await h.load(id);
    expect(release.hostFailures).toEqual([
      { operation: 'promote', hostId: 'i-01', status: 'failed', commandId },
    ]);
    // i-01 stays out; batch 2 is already draining.
    expect(release.outOfService).toEqual(['i-01', 'i-02']);

    const output = 'failed: registry/orders-api:1.4.2 failed its health check /healthz';
    await h.service.applyToCommand(commandId, {
      kind: 'hostCommandFinished',
      commandId,
      hostId: 'i-01',
      status: 'failed',
      output,
    });
    release = await h.load(id);
    expect(release.hostFailures).toEqual([
      { operation: 'promote', hostId: 'i-01', status: 'failed', commandId, output },
    ]);
    expect(release.run?.kind).toBe('hostOperation');
    expect(promotions(h).map((p) => p.instanceIds)).toEqual([['i-01'], ['i-02']]);
  });

  it('restores the hosts out of the load balancer before any host that serves', async () => {
    const { h } = await toPromotion({ batchSize: '1', hosts: ['i-01', 'i-02', 'i-03'] });
    await finishBatch(h);
    await finishBatch(h, ['i-02']);

    const restored: (readonly string[] | undefined)[] = [];
    for (const batch of [['i-02'], ['i-01'], ['i-03']]) {
      restored.push(h.lastCommand('restoreStable').operation.instanceIds);
      await h.finishCommand('restoreStable', 'success', batch);
    }
    expect(restored).toEqual([['i-02'], ['i-01'], ['i-03']]);
  });

  it('rolls back past maxErrors, and the rollback puts the hosts it took out back in, drained the same way', async () => {
    const { h, id } = await toPromotion({ batchSize: '50%', maxErrors: '0' });
    h.setTargetUnhealthy('i-02');
    await finishBatch(h, ['i-01']);

    let release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.outOfService).toEqual(['i-01', 'i-02']);
    // The rollback's restore reads who is registered (i-03, i-04) and adds the two the promotion left out.
    h.setTargetUnhealthy('i-02', false);
    for (const batch of [
      ['i-01', 'i-02'],
      ['i-03', 'i-04'],
    ]) {
      expect(h.lastCommand('restoreStable').operation.instanceIds).toEqual(batch);
      await h.finishCommand('restoreStable', 'success', batch);
    }

    release = await h.load(id);
    expect(h.targetGroups.serving(TG)).toEqual(HOSTS);
    expect(release.outOfService).toEqual([]);
  });

  it('rolls back at once when an alarm fires while a batch drains: nothing runs on hosts to wait for', async () => {
    const { h, id } = await toPromotion({ drainSeconds: 300 });
    await h.service.apply(id, {
      kind: 'alarmChanged',
      alarmName: 'orders-api-stable-health',
      state: 'ALARM',
      reason: 'Threshold crossed',
      at: h.now(),
    });
    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.run?.origin).toBe('rollback');
  });

  it('a report about an earlier check, or the same report twice, changes nothing', async () => {
    const { h, id } = await toPromotion({ drainSeconds: 300 });
    const release = await h.load(id);
    const report = { instanceIds: ['i-01', 'i-02'], settled: true, unsettled: [], checkAgainInSeconds: 0 };
    const stale = await h.service.apply(id, { kind: 'targetsGated', gateId: 'nope.1.draining.0', report });
    expect(stale.ok && stale.changed).toBe(false);
    const gateId = `${release.run?.stepId}.1.draining.0`;
    const waiting = await h.service.apply(id, { kind: 'targetsGated', gateId, report });
    expect(waiting.ok && waiting.changed).toBe(false);
    expect(promotions(h)).toEqual([]);
  });

  it('runs on the fleet’s tags, undrained, when no host is registered in its target groups', async () => {
    const config = serviceConfig({
      fleets: {
        stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' }, targetGroupArns: [TG] },
        canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } },
      },
    });
    const h = harness({ configs: [config], targetGroups: { [TG]: [] } });
    const id = await startOrders(h);
    await toApproval(h, id);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('stopMirror');
    expect(promotions(h)[0]?.instanceIds).toBeUndefined();
    await h.finishCommand('promote');
    expect((await h.load(id)).state).toBe('cleaningUp');
  });

  it('rolls back when the load balancer refuses for good, and the rollback restores undrained rather than not at all', async () => {
    const { h, id } = await toPromotion({ groups: [TG] });
    h.targetGroups.forget(TG);
    await finishBatch(h);

    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(said(h).join('\n')).toContain(
      `The load balancer refused: TargetGroupNotFoundException: ${TG} not found; rolling back.`,
    );
    const restore = h.lastCommand('restoreStable').operation;
    expect(restore.instanceIds).toBeUndefined();
    expect(restore.targets).toEqual({ 'canary-agent:fleet': 'orders-api-stable' });
  });
});

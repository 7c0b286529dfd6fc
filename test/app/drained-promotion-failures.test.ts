import { describe, expect, it } from 'vitest';
import { finishBatch, HOSTS, promotions, said, TG, toPromotion } from './drained-promotion-fixtures';

/* A drained promotion whose hosts fail, or whose load balancer refuses: what stays out, and how it rolls back. */

describe('a promotion behind target groups drains each batch before it touches it', () => {
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
      'Batch 2 of 2 of the promotion would take i-02 out, the last host serving: i-01 failed and is out of the load balancer; rolling back.',
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

  it('adds a host’s late report to the rollback its command’s end started, so the card says why', async () => {
    const { h, id } = await toPromotion({ batchSize: '1', maxErrors: '0' });
    const { commandId } = h.lastCommand('promote');
    await h.service.applyToCommand(commandId, { kind: 'commandFinished', commandId, status: 'failed' });
    expect((await h.load(id)).rollback?.reason).toMatchObject({
      kind: 'hostOperationFailed',
      hostId: 'i-01',
    });

    const output = 'registry/orders-api:1.4.2 failed its health check /healthz';
    const late = {
      kind: 'hostCommandFinished',
      commandId,
      hostId: 'i-01',
      status: 'failed',
      output,
    } as const;
    await h.service.applyToCommand(commandId, late);
    expect((await h.load(id)).rollback?.reason).toMatchObject({ hostId: 'i-01', output });
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

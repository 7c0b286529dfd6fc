import { describe, expect, it } from 'vitest';
import { serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { finishBatch, HOSTS, promotions, said, TG, TG2, toPromotion } from './drained-promotion-fixtures';
import { approver, startOrders, toApproval } from './scenarios-fixtures';

/* How a promotion's batches drain, swap and come back in; failing hosts are in drained-promotion-failures. */

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
      'Batch 1 of 2 of the promotion: taking i-01, i-02 out of the load balancer before touching them.',
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
});

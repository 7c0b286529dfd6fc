import { describe, expect, it } from 'vitest';
import { noticeDetail } from '../../domain/notice';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { approver, operations, requester, startOrders, toApproval } from './scenarios-fixtures';

describe('a mirror release, end to end', () => {
  it('rolls back on an alarm during verification: nginx back on stable, canary removed, old version kept', async () => {
    const h = harness();
    const id = await startOrders(h);
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');

    await h.service.apply(id, {
      kind: 'alarmChanged',
      alarmName: 'orders-api-canary-5xx',
      state: 'ALARM',
      reason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).',
      at: h.now(),
    });
    expect((await h.load(id)).state).toBe('rollingBack');
    expect(h.timers.size).toBe(0);
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'alarm', alarmName: 'orders-api-canary-5xx' });
    expect(release.exposure).toEqual([]);
    expect(h.recordedVersions).toEqual([]);
    expect(
      h.notices.some(
        (n) => n.notice.severity === 'critical' && noticeDetail(n.notice.notice)?.includes('Threshold'),
      ),
    ).toBe(true);
  });

  it('rolls back when the alarm check at the end of the window finds an ALARM the events missed', async () => {
    const h = harness();
    const id = await startOrders(h);
    h.setAlarm('orders-api-canary-5xx', 'ALARM');

    await toApproval(h, id);

    expect((await h.load(id)).state).toBe('rollingBack');
    expect(operations(h).at(-1)).toBe('stopMirror');
  });

  it('restores the previous version when an alarm fires during promotion', async () => {
    const h = harness();
    const id = await startOrders(h);
    await toApproval(h, id);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('stopMirror');
    const promote = h.lastCommand('promote');

    await h.service.apply(id, {
      kind: 'alarmChanged',
      alarmName: 'orders-api-stable-health',
      state: 'ALARM',
      reason: 'UnHealthyHostCount > 0',
      at: h.now(),
    });

    expect(h.cancelled).toEqual([promote.commandId]);
    expect((await h.load(id)).run).toMatchObject({ cancelRequested: true });
    await h.finishCommand('promote', 'cancelled');
    expect(operations(h).at(-1)).toBe('restoreStable');
    expect(h.lastCommand('restoreStable').operation.parameters.Version).toBe('1.4.1');
    await h.finishCommand('restoreStable');
    await h.finishCommand('removeCanary');
    expect((await h.load(id)).state).toBe('rolledBack');
  });

  it('records the old version again when promotion had finished before the rollback', async () => {
    const h = harness();
    const id = await startOrders(h);
    await toApproval(h, id);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('stopMirror');
    await h.finishCommand('promote');

    await h.service.apply(id, { kind: 'rollbackRequested', actor: requester });
    await h.finishCommand('removeCanary', 'cancelled');
    await h.finishCommand('restoreStable');
    await h.finishCommand('removeCanary');

    expect((await h.load(id)).state).toBe('rolledBack');
    expect(h.recordedVersions.map((r) => r.version)).toEqual(['1.4.2', '1.4.1']);
  });

  it.each(['failed', 'timedOut'] as const)(
    'rolls back when one host %s its swap to Envoy',
    async (status) => {
      const h = harness();
      const id = await startOrders(h);
      await h.finishCommand('deployCanary');
      const { commandId } = h.lastCommand('startMirror');

      await h.service.applyToCommand(commandId, {
        kind: 'hostCommandFinished',
        commandId,
        hostId: 'i-0bbbbbbbbbbbbbbb2',
        status,
        output: 'envoy: listener bind failed',
      });
      expect(h.cancelled).toEqual([commandId]);
      expect(operations(h)).toEqual(['deployCanary', 'startMirror']);
      await h.service.applyToCommand(commandId, { kind: 'commandFinished', commandId, status });

      expect(operations(h)).toEqual(['deployCanary', 'startMirror', 'stopMirror']);
      await h.finishCommand('stopMirror');
      await h.finishCommand('removeCanary');
      const release = await h.load(id);
      expect(release.state).toBe('rolledBack');
      expect(release.rollback?.reason).toMatchObject({
        kind: 'hostOperationFailed',
        operation: 'startMirror',
        hostId: 'i-0bbbbbbbbbbbbbbb2',
        status,
      });
    },
  );

  it('aborts on request from the requester and cleans up what was deployed', async () => {
    const h = harness();
    const id = await startOrders(h);
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');

    const result = await h.service.apply(id, { kind: 'abortRequested', actor: requester });

    expect(result.ok).toBe(true);
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');
    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toEqual({ kind: 'aborted', by: REQUESTER });
  });

  it('rolls back when an approver rejects', async () => {
    const h = harness();
    const id = await startOrders(h);
    await toApproval(h, id);

    await h.service.apply(id, { kind: 'rejected', actor: approver, comment: 'latency looks off' });
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'rejected', by: APPROVER });
  });

  it('stops in rollbackFailed when an undo step fails, and finishes after a retry', async () => {
    const h = harness();
    const id = await startOrders(h);
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
    await h.service.apply(id, { kind: 'abortRequested', actor: requester });

    await h.finishCommand('stopMirror', 'failed');
    const failed = await h.load(id);
    expect(failed.state).toBe('rollbackFailed');
    expect(failed.exposure).toContain('stableProxied');
    expect(h.notices.at(-1)?.notice.severity).toBe('critical');
    expect(await h.store.activeReleaseId('orders-api')).toBe(id);

    await h.service.apply(id, { kind: 'rollbackRetried', actor: requester });
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');
    expect((await h.load(id)).state).toBe('rolledBack');
  });
});

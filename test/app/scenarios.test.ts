import { describe, expect, it } from 'vitest';
import { UnknownReleaseError } from '../../domain/errors';
import { noticeDetail } from '../../domain/notice';
import { APPROVER, REQUESTER, STRANGER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

const requester = { kind: 'person', id: REQUESTER } as const;
const approver = { kind: 'person', id: APPROVER } as const;

type Harness = ReturnType<typeof harness>;

async function startOrders(h: Harness) {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
  });
  if (!started.ok) throw new Error(started.message);
  return started.release.id;
}

async function toApproval(h: Harness, id: string) {
  await h.finishCommand('deployCanary');
  await h.finishCommand('startMirror');
  await h.elapseWindow(id);
}

function operations(h: Harness) {
  return h.commands.map((c) => c.operation.operation);
}

describe('a mirror release, end to end', () => {
  it('walks the happy path to succeeded, with the new version recorded and nginx back on stable', async () => {
    const h = harness();
    const id = await startOrders(h);
    expect((await h.load(id)).state).toBe('deployingCanary');

    await toApproval(h, id);
    expect((await h.load(id)).state).toBe('awaitingApproval');

    await h.service.apply(id, { kind: 'approved', actor: approver });
    expect((await h.load(id)).state).toBe('stoppingMirror');
    await h.finishCommand('stopMirror');
    await h.finishCommand('promote');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('succeeded');
    expect(release.exposure).not.toContain('stableProxied');
    expect(h.recordedVersions).toEqual([{ service: 'orders-api', version: '1.4.2' }]);
    expect(operations(h)).toEqual(['deployCanary', 'startMirror', 'stopMirror', 'promote', 'removeCanary']);
    expect(await h.store.activeReleaseId('orders-api')).toBeNull();
    expect((await h.store.history(id)).map((e) => e.to).at(-1)).toBe('succeeded');
  });

  it('goes from a quiet window straight to promotion when the service needs no approval', async () => {
    const h = harness({ configs: [serviceConfig({ approvals: { required: false } })] });
    const id = await startOrders(h);

    await toApproval(h, id);

    expect((await h.load(id)).state).toBe('stoppingMirror');
  });

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

  it('refuses an approval from someone who is not an approver and changes nothing', async () => {
    const h = harness();
    const id = await startOrders(h);
    await toApproval(h, id);
    const before = await h.load(id);

    const result = await h.service.apply(id, { kind: 'approved', actor: { kind: 'person', id: STRANGER } });

    expect(result).toMatchObject({ ok: false, reason: 'not-authorized' });
    expect(await h.load(id)).toEqual(before);
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

  it('moves a release whose command results were lost on through the sweeper', async () => {
    const h = harness();
    const id = await startOrders(h);
    const { run } = await h.load(id);

    h.advance(600 + 120 + 1);
    const swept = await h.service.sweep();

    expect(swept.deadlines).toBe(1);
    const release = await h.load(id);
    expect(release.rollback?.reason).toEqual({ kind: 'deadlineExceeded', state: 'deployingCanary' });
    expect(release.run?.stepId).not.toBe(run?.stepId);
    expect(operations(h).at(-1)).toBe('removeCanary');
  });

  it('refuses a second release of a busy service and an unknown service', async () => {
    const h = harness();
    const id = await startOrders(h);

    const busy = await h.service.start({ service: 'orders-api', toVersion: '1.4.3', requestedBy: requester });
    const unknown = await h.service.start({
      service: 'payments-api',
      toVersion: '2.0.0',
      requestedBy: requester,
    });

    expect(busy).toMatchObject({ ok: false, reason: 'release-busy', activeReleaseId: id });
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown-service' });
  });

  it('ignores a redelivered command result', async () => {
    const h = harness();
    const id = await startOrders(h);
    const { commandId } = h.lastCommand('deployCanary');
    const event = { kind: 'commandFinished', commandId, status: 'success' } as const;
    await h.service.applyToCommand(commandId, event, 'evt-ssm-1');
    const after = await h.load(id);

    const again = await h.service.applyToCommand(commandId, event, 'evt-ssm-1');

    expect(again).toMatchObject({ ok: true, changed: false });
    expect(await h.load(id)).toEqual(after);
    expect(operations(h)).toEqual(['deployCanary', 'startMirror']);
  });

  it('keeps an effect that could not run in the outbox and runs it on the next sweep', async () => {
    const h = harness();
    h.failFleetCalls(1);

    const id = await startOrders(h);
    expect(h.commands).toEqual([]);
    expect(h.failedEffects.map((e) => e.effect.kind)).toEqual(['runHostOperation']);
    expect((await h.store.pendingEffects(h.now())).map((e) => e.effect.kind)).toEqual(['runHostOperation']);

    h.advance(61);
    const swept = await h.service.sweep();

    expect(swept.effectsRerun).toBe(1);
    expect(operations(h)).toEqual(['deployCanary']);
    expect((await h.load(id)).run).toMatchObject({ commandId: h.lastCommand('deployCanary').commandId });
    expect(await h.store.pendingEffects(h.now())).toEqual([]);
  });

  it('follows the first command when an effect ran twice, and ignores the duplicate’s results', async () => {
    const h = harness();
    const id = await startOrders(h);
    const release = await h.load(id);
    const first = h.lastCommand('deployCanary');

    // The same outbox effect runs again (a Lambda died after SendCommand and before completing the effect).
    await h.service.apply(
      id,
      { kind: 'hostOperationDispatched', stepId: release.run?.stepId ?? '', commandId: 'cmd-duplicate' },
      'rerun',
    );
    const duplicate = await h.service.apply(id, {
      kind: 'commandFinished',
      commandId: 'cmd-duplicate',
      status: 'failed',
    });

    expect((await h.load(id)).run).toMatchObject({ commandId: first.commandId });
    expect(duplicate).toMatchObject({ ok: true, changed: false });
  });

  it('says clearly when an event names a release or command it does not know', async () => {
    const h = harness();

    await expect(
      h.service.apply('orders-api-r404', { kind: 'timerElapsed', timerId: 'x' }),
    ).rejects.toBeInstanceOf(UnknownReleaseError);
    await expect(
      h.service.applyToCommand('cmd-404', {
        kind: 'commandFinished',
        commandId: 'cmd-404',
        status: 'success',
      }),
    ).rejects.toThrow('No release is known for command cmd-404');
  });
});

describe('a window without data, end to end', () => {
  it('holds as inconclusive, and an approver promotes it anyway, which counts as the approval', async () => {
    const h = harness();
    const id = await startOrders(h);
    h.setAlarm('orders-api-canary-5xx', 'INSUFFICIENT_DATA');
    await toApproval(h, id);
    expect((await h.load(id)).state).toBe('inconclusive');

    await h.service.apply(id, { kind: 'approved', actor: approver });

    expect((await h.load(id)).state).toBe('stoppingMirror');
  });

  it('runs the window once more, then rolls back, when the service says extendThenRollback', async () => {
    const h = harness({ configs: [serviceConfig({ validation: { onNoData: 'extendThenRollback' } })] });
    const id = await startOrders(h);
    h.setAlarm('orders-api-canary-5xx', 'INSUFFICIENT_DATA');
    await toApproval(h, id);
    expect((await h.load(id)).run).toMatchObject({ kind: 'validate', extended: true });

    await h.elapseWindow(id);

    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'noData', alarms: ['orders-api-canary-5xx'] });
  });
});

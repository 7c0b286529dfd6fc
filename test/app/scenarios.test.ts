import { describe, expect, it } from 'vitest';
import { STRANGER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { approver, operations, requester, startOrders, toApproval } from './scenarios-fixtures';

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

  it('refuses an approval from someone who is not an approver and changes nothing', async () => {
    const h = harness();
    const id = await startOrders(h);
    await toApproval(h, id);
    const before = await h.load(id);

    const result = await h.service.apply(id, { kind: 'approved', actor: { kind: 'person', id: STRANGER } });

    expect(result).toMatchObject({ ok: false, reason: 'not-authorized' });
    expect(await h.load(id)).toEqual(before);
  });

  it('queues a second release of a busy service, and refuses an unknown service', async () => {
    const h = harness();
    const id = await startOrders(h);

    const busy = await h.service.start({ service: 'orders-api', toVersion: '1.4.3', requestedBy: requester });
    const unknown = await h.service.start({
      service: 'payments-api',
      toVersion: '2.0.0',
      requestedBy: requester,
    });

    expect(busy).toMatchObject({ ok: false, reason: 'queued', queued: { toVersion: '1.4.3', behind: id } });
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown-service' });
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

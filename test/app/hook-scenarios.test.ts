import { describe, expect, it } from 'vitest';
import type { ServiceConfigInput } from '../../domain/service-config';
import { serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { approver, operations, startOrders } from './scenarios-fixtures';

/* A team's hooks at the named points of a release: where they run, and that a failing one rolls back. */

const hooks: ServiceConfigInput['hooks'] = [
  { name: 'smoke', at: 'beforeTraffic', lambda: 'orders-smoke', timeoutSeconds: 20 },
  { name: 'checkout-probe', at: 'afterStep', url: 'https://probe.example.com/canary', timeoutSeconds: 10 },
  { name: 'announce', at: 'afterPromotion', document: 'orders-announce', fleet: 'stable' },
];
type Answers = NonNullable<NonNullable<Parameters<typeof harness>[0]>['hookAnswers']>;
const withHooks = (hookAnswers: Answers = {}) =>
  harness({ configs: [serviceConfig({ hooks })], hookAnswers });

describe('hooks in a release', () => {
  it('runs each hook at its point: before traffic, after the window, after promotion', async () => {
    const h = withHooks();
    const id = await startOrders(h);
    expect((await h.load(id)).plan.map((s) => s.state)).toEqual([
      'deployingCanary',
      'runningHook',
      'startingMirror',
      'verifying',
      'runningHook',
      'awaitingApproval',
      'stoppingMirror',
      'promoting',
      'runningHook',
      'cleaningUp',
    ]);

    await h.finishCommand('deployCanary');
    expect(h.hookCalls.map((c) => c.hook)).toEqual(['smoke']);
    expect(h.hookCalls[0]).toEqual({
      service: 'orders-api',
      releaseId: id,
      hook: 'smoke',
      point: 'beforeTraffic',
      fromVersion: '1.4.1',
      toVersion: '1.4.2',
    });
    await h.finishCommand('startMirror');
    await h.elapseWindow(id);
    expect(h.hookCalls.map((c) => c.hook)).toEqual(['smoke', 'checkout-probe']);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('stopMirror');
    await h.finishCommand('promote');

    // The document hook runs on the stable fleet through the team's own document, told where the release is.
    const announce = h.lastCommand('runHook').operation;
    expect(announce).toMatchObject({
      document: 'orders-announce',
      fleet: 'stable',
      timeoutSeconds: 300,
      parameters: expect.objectContaining({ Hook: 'announce', Point: 'afterPromotion', Version: '1.4.2' }),
    });
    await h.finishCommand('runHook');
    await h.finishCommand('removeCanary');
    expect((await h.load(id)).state).toBe('succeeded');
  });

  it('rolls back when a hook fails before traffic, with what it said in the thread, before any request reached the canary', async () => {
    const h = withHooks({ smoke: { passed: false, output: 'GET /orders/42 answered 500' } });
    const id = await startOrders(h);

    await h.finishCommand('deployCanary');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toEqual({
      kind: 'hookFailed',
      name: 'smoke',
      output: 'GET /orders/42 answered 500',
    });
    expect(operations(h)).toEqual(['deployCanary', 'removeCanary']);
    const failed = h.notices.find((n) => n.notice.notice.kind === 'hookFailed');
    expect(failed?.notice).toMatchObject({ severity: 'critical' });
  });

  it('rolls back from the window when the hook after it fails, undoing the mirror', async () => {
    const h = withHooks({ 'checkout-probe': { passed: false, output: 'HTTP 503: checkout unavailable' } });
    const id = await startOrders(h);
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');

    await h.elapseWindow(id);
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'hookFailed', name: 'checkout-probe' });
    expect(operations(h)).toEqual(['deployCanary', 'startMirror', 'stopMirror', 'removeCanary']);
  });

  it('rolls back the promotion when the document hook after it fails on a host', async () => {
    const h = withHooks();
    const id = await startOrders(h);
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
    await h.elapseWindow(id);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('stopMirror');
    await h.finishCommand('promote');

    await h.finishCommand('runHook', 'failed');
    await h.finishCommand('restoreStable');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'hostOperationFailed', operation: 'runHook' });
  });

  it('takes a hook that never answers as failed at its deadline, and a late answer changes nothing', async () => {
    const h = withHooks({ smoke: new Error('ThrottlingException: Rate exceeded') });
    const id = await startOrders(h);
    await h.finishCommand('deployCanary');
    const waiting = await h.load(id);
    expect(waiting.state).toBe('runningHook');

    h.advance(20 + 121);
    await h.service.sweep();
    await h.finishCommand('removeCanary');
    const late = await h.service.apply(id, {
      kind: 'hookFinished',
      stepId: waiting.run?.stepId ?? '',
      passed: true,
      output: 'ok',
    });

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason).toEqual({ kind: 'deadlineExceeded', state: 'runningHook' });
    expect(late).toMatchObject({ ok: true, changed: false });
  });
});

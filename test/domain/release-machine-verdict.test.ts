import { describe, expect, it } from 'vitest';
import { transition } from '../../domain/release-machine';
import { addSeconds } from '../../domain/time';
import { STRANGER, serviceConfig } from '../../local/fixture-service-config';
import { newRelease, T0 } from '../support/releases';
import {
  applied,
  approver,
  checkWindow,
  elapseWindow,
  finishRun,
  requester,
} from './release-machine-fixtures';

describe('the verdict at the end of a window', () => {
  const inWindow = (config = serviceConfig()) =>
    finishRun(finishRun(newRelease({ config }).release, 'c1'), 'c2');

  it('passes only when every watched alarm is OK', () => {
    expect(checkWindow(inWindow(), 'OK').state).toBe('awaitingApproval');
  });

  it('holds a window with no data as inconclusive: never a pass, and says which alarms gave none', () => {
    const held = checkWindow(inWindow(), (name) =>
      name === 'orders-api-canary-5xx' ? 'INSUFFICIENT_DATA' : 'OK',
    );

    expect(held.state).toBe('inconclusive');
    expect(held.run).toMatchObject({ kind: 'inconclusive', noData: ['orders-api-canary-5xx'] });
  });

  it('lets an approver promote an inconclusive release, which counts as the approval, and anyone who may stop roll it back', () => {
    const held = checkWindow(inWindow(), 'INSUFFICIENT_DATA');

    const promoted = transition(held, { kind: 'approved', actor: approver }, T0);
    const rolledBack = transition(held, { kind: 'rollbackRequested', actor: requester }, T0);
    const byStranger = transition(held, { kind: 'approved', actor: { kind: 'person', id: STRANGER } }, T0);

    expect(promoted.ok && promoted.release.state).toBe('stoppingMirror');
    expect(promoted.ok && promoted.history[0]?.note).toMatchObject({
      kind: 'promotedWithoutData',
      by: approver.id,
      noData: expect.arrayContaining(['orders-api-canary-5xx']),
    });
    expect(rolledBack.ok && rolledBack.release.state).toBe('rollingBack');
    expect(byStranger).toMatchObject({ ok: false, reason: 'not-authorized' });
  });

  it('extends a window with no data once, then rolls back, when the service says so', () => {
    const config = serviceConfig({ validation: { onNoData: 'extendThenRollback' } });
    const extended = checkWindow(inWindow(config), 'INSUFFICIENT_DATA');

    expect(extended.state).toBe('verifying');
    expect(extended.run).toMatchObject({ kind: 'validate', extended: true });
    const again = checkWindow(extended, 'INSUFFICIENT_DATA');
    expect(again.state).toBe('rollingBack');
    expect(again.rollback?.reason).toEqual({
      kind: 'noData',
      alarms: ['orders-api-canary-5xx', 'orders-api-stable-health'],
    });
  });

  it('dates a reading from when its state began, so an ALARM that fired while the reading was on its way still rolls back', () => {
    const r = elapseWindow(inWindow());
    const run = r.run;
    if (run?.kind !== 'validate' || run.checkId === undefined) throw new Error('no alarm check is out');
    const [firedAt, readingAppliedAt] = [addSeconds(run.windowEndsAt, 1), addSeconds(run.windowEndsAt, 2)];
    // DescribeAlarms read OK (OK since T0); the alarm fired at firedAt; the reading is applied after that.
    const alarms = run.step.alarms.map((name) => ({ name, state: 'OK' as const, reason: '', since: T0 }));
    const passed = applied(
      transition(r, { kind: 'alarmsChecked', checkId: run.checkId, alarms }, readingAppliedAt),
    );
    const fired = {
      kind: 'alarmChanged',
      alarmName: 'orders-api-canary-5xx',
      state: 'ALARM',
      reason: 'fired',
      at: firedAt,
    } as const;

    const late = transition(passed, fired, addSeconds(readingAppliedAt, 1));

    expect(passed.state).toBe('awaitingApproval');
    expect(late.ok && late.release.state).toBe('rollingBack');
  });
});

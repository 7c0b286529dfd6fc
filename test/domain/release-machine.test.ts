import { describe, expect, it } from 'vitest';
import { transition } from '../../domain/release-machine';
import type { Release } from '../../domain/types';
import { APPROVER, REQUESTER, STRANGER, serviceConfig } from '../../local/fixture-service-config';
import { newRelease, T0 } from '../support/releases';
import { applied, approver, awaitingApproval, drive, finishRun, requester } from './release-machine-fixtures';

describe('the release machine', () => {
  it('treats terminal states as final: people are told, systems are ignored', () => {
    const done: Release = { ...newRelease().release, state: 'succeeded' };

    expect(transition(done, { kind: 'abortRequested', actor: requester }, T0)).toMatchObject({
      ok: false,
      reason: 'release-finished',
    });
    expect(
      transition(
        done,
        { kind: 'alarmChanged', alarmName: 'orders-api-canary-5xx', state: 'ALARM', reason: '', at: T0 },
        T0,
      ),
    ).toMatchObject({
      ok: true,
      changed: false,
      effects: [],
    });
  });

  it('does not let the requester approve when four eyes is on, but lets another approver', () => {
    const release = awaitingApproval(
      serviceConfig({ approvals: { users: [APPROVER, REQUESTER], fourEyes: true } }),
    );

    expect(transition(release, { kind: 'approved', actor: requester }, T0)).toMatchObject({
      ok: false,
      reason: 'requester-cannot-approve',
    });
    expect(applied(transition(release, { kind: 'approved', actor: approver }, T0)).state).toBe(
      'stoppingMirror',
    );
  });

  it('accepts approvals from members of an approver group', () => {
    const release = awaitingApproval(serviceConfig({ approvals: { users: [], groups: ['S0RELEASERS'] } }));
    const member = { kind: 'person', id: STRANGER, groups: ['S0RELEASERS'] } as const;

    expect(
      transition(release, { kind: 'approved', actor: { kind: 'person', id: STRANGER } }, T0),
    ).toMatchObject({ ok: false, reason: 'not-authorized' });
    expect(applied(transition(release, { kind: 'approved', actor: member }, T0)).approvals).toEqual([
      { by: STRANGER, at: T0 },
    ]);
  });

  it('only records an alarm that fires before the canary takes traffic, and ignores unwatched alarms', () => {
    const release = newRelease().release;

    const early = transition(
      release,
      { kind: 'alarmChanged', alarmName: 'orders-api-canary-5xx', state: 'ALARM', reason: 'r', at: T0 },
      T0,
    );
    const other = transition(
      release,
      { kind: 'alarmChanged', alarmName: 'billing-5xx', state: 'ALARM', reason: 'r', at: T0 },
      T0,
    );

    expect(applied(early).state).toBe('deployingCanary');
    expect(applied(early).alarms['orders-api-canary-5xx']?.state).toBe('ALARM');
    expect(other).toMatchObject({ changed: false });
  });

  it('ignores an alarm observation older than the one it knows', () => {
    let r = finishRun(newRelease().release, 'c1');
    r = drive(r, {
      kind: 'alarmChanged',
      alarmName: 'orders-api-canary-5xx',
      state: 'OK',
      reason: '',
      at: '2026-11-22T14:05:00.000Z',
    });

    const late = transition(
      r,
      {
        kind: 'alarmChanged',
        alarmName: 'orders-api-canary-5xx',
        state: 'ALARM',
        reason: '',
        at: '2026-11-22T14:04:00.000Z',
      },
      T0,
    );

    expect(late).toMatchObject({ ok: true, changed: false });
  });

  it('ignores a stale timer and a result from a command it no longer waits for', () => {
    let r = finishRun(newRelease().release, 'c1');
    r = finishRun(r, 'c2');

    expect(transition(r, { kind: 'timerElapsed', timerId: 'someone-else.window' }, T0)).toMatchObject({
      changed: false,
    });
    expect(transition(r, { kind: 'commandFinished', commandId: 'c1', status: 'failed' }, T0)).toMatchObject({
      changed: false,
    });
  });

  it('ignores the window timer until the window is over, so an early (forged) timer cannot cut it short', () => {
    let r = finishRun(newRelease().release, 'c1');
    r = finishRun(r, 'c2');
    const run = r.run;
    if (run?.kind !== 'validate') throw new Error(`expected a validation window, got ${r.state}`);
    const timer = { kind: 'timerElapsed', timerId: run.timerId } as const;

    for (const early of [run.startedAt, new Date(Date.parse(run.windowEndsAt) - 1000).toISOString()])
      expect(transition(r, timer, early)).toMatchObject({ ok: true, changed: false });
    const due = transition(r, timer, run.windowEndsAt);

    expect(due).toMatchObject({ ok: true, changed: true });
    expect(due.ok && due.effects.map((e) => e.kind)).toContain('checkAlarms');
  });

  it('bumps the version and appends history with cause and actor on every accepted event', () => {
    const release = awaitingApproval();

    const t = transition(release, { kind: 'approved', actor: approver }, '2026-11-22T14:30:00.000Z');

    expect(t).toMatchObject({
      ok: true,
      release: { version: release.version + 1, historyLength: release.historyLength + 1 },
      history: [
        {
          seq: release.historyLength + 1,
          cause: 'approved',
          actor: approver,
          from: 'awaitingApproval',
          to: 'stoppingMirror',
        },
      ],
    });
  });

  it('does not wait for a host operation that is already past its deadline', () => {
    const release = newRelease().release;
    const run = release.run;
    if (!run) throw new Error('nothing runs');

    const t = transition(release, { kind: 'deadlineExceeded', stepId: run.stepId }, run.deadlineAt);

    expect(applied(t).state).toBe('rollingBack');
    expect(t.ok && t.effects.map((e) => e.kind)).toEqual(['runHostOperation', 'notify']);
    expect(t.ok && t.effects[0]).toMatchObject({ operation: 'removeCanary' });
  });

  it('ignores a deadline that has not passed yet', () => {
    const release = newRelease().release;

    expect(
      transition(release, { kind: 'deadlineExceeded', stepId: release.run?.stepId ?? '' }, T0),
    ).toMatchObject({ changed: false });
  });

  it('refuses a second abort while rolling back', () => {
    const rolling = drive(newRelease().release, { kind: 'abortRequested', actor: requester });

    expect(transition(rolling, { kind: 'abortRequested', actor: approver }, T0)).toMatchObject({
      ok: false,
      reason: 'already-rolling-back',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { transition } from '../../domain/release-machine';
import { requestRelease } from '../../domain/release-request';
import { addSeconds } from '../../domain/time';
import type { AlarmState, Release, ReleaseEvent, Transition } from '../../domain/types';
import {
  APPROVER,
  configInput,
  REQUESTER,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';
import { newRelease, T0 } from '../support/releases';

const approver = { kind: 'person', id: APPROVER } as const;
const requester = { kind: 'person', id: REQUESTER } as const;

function applied(t: Transition): Release {
  if (!t.ok) throw new Error(t.message);
  return t.release;
}

/** Drives a release through events that must all be accepted. */
function drive(release: Release, ...events: ReleaseEvent[]): Release {
  return events.reduce((r, e) => applied(transition(r, e, T0)), release);
}

function finishRun(release: Release, commandId: string): Release {
  const run = release.run;
  if (!run) throw new Error('nothing runs');
  return drive(
    release,
    { kind: 'hostOperationDispatched', stepId: run.stepId, commandId },
    { kind: 'commandFinished', commandId, status: 'success' },
  );
}

/** The window's own timer, delivered at the moment the window ends. */
function elapseWindow(release: Release): Release {
  const run = release.run;
  if (run?.kind !== 'validate') throw new Error(`no validation window runs in ${release.state}`);
  return applied(transition(release, { kind: 'timerElapsed', timerId: run.timerId }, run.windowEndsAt));
}

function awaitingApproval(config = serviceConfig()): Release {
  let r = newRelease({ config }).release;
  r = finishRun(r, 'c1');
  r = finishRun(r, 'c2');
  return checkWindow(r, 'OK');
}

/** Ends the window and answers its alarm check with every watched alarm in `state` (or per name). */
function checkWindow(
  release: Release,
  state: AlarmState | ((name: string) => AlarmState),
  since?: string,
  at?: string,
): Release {
  const r = elapseWindow(release);
  const run = r.run;
  if (run?.kind !== 'validate' || run.checkId === undefined) throw new Error('no alarm check is out');
  const stateOf = typeof state === 'function' ? state : () => state;
  const alarms = run.step.alarms.map((name) => ({
    name,
    state: stateOf(name),
    reason: `${stateOf(name)} here`,
    since,
  }));
  return applied(
    transition(r, { kind: 'alarmsChecked', checkId: run.checkId, alarms }, at ?? run.windowEndsAt),
  );
}

describe('requesting a release', () => {
  it('starts by deploying the canary and posts the card', () => {
    const { release, effects, history } = newRelease();

    expect(release.state).toBe('deployingCanary');
    expect(effects.map((e) => e.kind)).toEqual(['runHostOperation', 'notify']);
    expect(effects[0]).toMatchObject({
      operation: 'deployCanary',
      fleet: 'canary',
      parameters: { Version: '1.4.2', Service: 'orders-api' },
    });
    expect(history).toEqual([
      expect.objectContaining({
        seq: 1,
        actor: { kind: 'person', id: REQUESTER },
        cause: 'requested',
        to: 'deployingCanary',
      }),
    ]);
  });

  it('waits for the team’s own stack when the agent does not build it', () => {
    const config = serviceConfig({
      canaryStack: { elbHost: 'c.elb.amazonaws.com', provisionedBy: 'external' },
    });

    const { release, effects } = newRelease({ config });

    expect(release.state).toBe('awaitingCanaryStack');
    expect(effects.map((e) => e.kind)).toEqual(['notify']);
  });

  it.each([
    [{ toVersion: '1.4.1' }, 'same-version'],
    [{ toVersion: '1.4.2;reboot' }, 'invalid-version'],
    [{ percent: 75 }, 'percent-out-of-bounds'],
    [{ percent: 10, strategy: { kind: 'steps', steps: [10, 100] } }, 'percent-without-mirror'],
    [{ windowSeconds: 30 }, 'window-out-of-bounds'],
  ] as const)('refuses %o with %s', (overrides, reason) => {
    const result = requestRelease({
      releaseId: 'r',
      config: serviceConfig(),
      fromVersion: '1.4.1',
      toVersion: '1.4.2',
      requestedBy: requester,
      now: T0,
      ...overrides,
    });

    expect(result).toMatchObject({ ok: false, reason });
  });

  it('refuses to mirror a service nobody confirmed as read-only or idempotent', () => {
    const config = serviceConfig({ mirror: {} });

    const result = requestRelease({
      releaseId: 'r',
      config,
      fromVersion: '1',
      toVersion: '2',
      requestedBy: requester,
      now: T0,
    });

    expect(result).toMatchObject({ ok: false, reason: 'mirror-not-acknowledged' });
    expect(!result.ok && result.message).toMatch(/read-only or idempotent/);
  });

  it('gives Envoy the nginx timeouts and the mirror percentage', () => {
    const config = serviceConfig({ proxy: { readTimeoutSeconds: 30 } });
    let r = newRelease({ config }).release;

    r = finishRun(r, 'c1');

    const step = r.plan[r.cursor];
    expect(step).toMatchObject({
      operation: 'startMirror',
      parameters: {
        ReadTimeout: '30',
        ConnectTimeout: '60',
        MirrorPercent: '10',
        MirrorHost: configInput().canaryStack.elbHost,
      },
    });
  });
});

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

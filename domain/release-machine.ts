import { assertNever } from './plan';
import { approvalRefusal, isRollingBack, isTerminal, stopRefusal } from './policies';
import {
  completeHostOperation,
  type Draft,
  draft,
  enterStep,
  failRollback,
  runRollbackStep,
  startRollback,
  VALIDATION_MARGIN_SECONDS,
} from './steps';
import { addSeconds, isAtOrAfter, isBefore } from './time';
import type {
  Actor,
  CommandOutcome,
  Effect,
  HistoryEntry,
  Instant,
  Refusal,
  Release,
  ReleaseEvent,
  Transition,
} from './types';

type Decision = Draft | { refused: Refusal; message: string } | null;

/**
 * The release engine: applies one event to one release. Pure: it returns the next release, the effects
 * to run and the history to append; it never runs anything. A stale or duplicate event returns
 * `changed: false` with no effects, so replaying any event is harmless.
 *
 * @example
 * const t = transition(release, { kind: 'approved', actor: { kind: 'person', id: 'U0APPROVER' } }, now);
 * if (t.ok && t.changed) await store.save(t.release, release.version);
 */
export function transition(release: Release, event: ReleaseEvent, now: Instant): Transition {
  if (isTerminal(release.state)) {
    return 'actor' in event && event.actor.kind === 'person'
      ? refuse('release-finished', `This release already ended: ${release.state}.`)
      : unchanged(release);
  }
  const decision = decide(release, event, now);
  if (decision === null) return unchanged(release);
  if ('refused' in decision) return refuse(decision.refused, decision.message);
  return commit(release, decision, event, now);
}

function decide(release: Release, event: ReleaseEvent, now: Instant): Decision {
  switch (event.kind) {
    case 'approved':
    case 'rejected':
      return onApproval(release, event, now);
    case 'abortRequested':
    case 'rollbackRequested':
      return onStop(release, event, now);
    case 'rollbackRetried':
      return onRetry(release, event.actor, now);
    case 'hostOperationDispatched':
      return onDispatched(release, event.stepId, event.commandId);
    case 'hostCommandFinished':
      return onHostFinished(release, event, now);
    case 'commandFinished':
      return onCommandFinished(release, event.commandId, event.status, now);
    case 'alarmChanged':
      return onAlarmChanged(release, event, now);
    case 'alarmsChecked':
      return onAlarmsChecked(release, event, now);
    case 'timerElapsed':
      return release.state === 'verifying' && release.run?.timerId === event.timerId
        ? checkAlarms(release)
        : null;
    case 'canaryStackReady':
      return release.state === 'awaitingCanaryStack'
        ? enterStep(draft(release, 'The canary stack is ready.'), release.cursor + 1, now)
        : null;
    case 'canaryStackFailed':
      return isRollingBack(release.state)
        ? null
        : startRollback(
            draft(release, `The canary stack failed: ${event.reason}`),
            { kind: 'canaryStackFailed', reason: event.reason },
            now,
          );
    case 'deadlineExceeded':
      return onDeadline(release, event.stepId, now);
    default:
      return assertNever(event);
  }
}

function onApproval(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'approved' | 'rejected' }>,
  now: Instant,
): Decision {
  if (release.state !== 'awaitingApproval') {
    return {
      refused: 'not-awaiting-approval',
      message: `The release is ${release.state}, not awaiting approval.`,
    };
  }
  const refusal = approvalRefusal(release, event.actor);
  if (refusal) return { refused: refusal, message: refusalMessage(refusal) };
  if (event.kind === 'rejected') {
    const reason = { kind: 'rejected', by: event.actor.id, comment: event.comment } as const;
    return startRollback(draft(release, `Rejected by <@${event.actor.id}>.`), reason, now);
  }
  const approved: Release = {
    ...release,
    approvals: [...release.approvals, { by: event.actor.id, at: now }],
  };
  return enterStep(draft(approved, `Approved by <@${event.actor.id}>.`), release.cursor + 1, now);
}

function onStop(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'abortRequested' | 'rollbackRequested' }>,
  now: Instant,
): Decision {
  if (isRollingBack(release.state)) {
    return { refused: 'already-rolling-back', message: 'This release is already rolling back.' };
  }
  const refusal = stopRefusal(release, event.actor);
  if (refusal) return { refused: refusal, message: refusalMessage(refusal) };
  const by = event.actor.id;
  return event.kind === 'abortRequested'
    ? startRollback(draft(release, `Aborted by <@${by}>.`), { kind: 'aborted', by }, now)
    : startRollback(
        draft(release, `Rollback requested by <@${by}>.`),
        { kind: 'rolledBackByPerson', by },
        now,
      );
}

function onRetry(release: Release, actor: Actor, now: Instant): Decision {
  if (release.state !== 'rollbackFailed' || release.rollback === undefined) {
    return {
      refused: 'not-rollback-failed',
      message: `The release is ${release.state}; only a failed rollback can be retried.`,
    };
  }
  const refusal = stopRefusal(release, actor);
  if (refusal) return { refused: refusal, message: refusalMessage(refusal) };
  const { failure: _previous, ...rollback } = release.rollback;
  const retrying: Release = {
    ...release,
    state: 'rollingBack',
    rollback: { ...rollback, attempts: rollback.attempts + 1 },
  };
  return runRollbackStep(draft(retrying, `Rollback retried by <@${actor.id}>.`, 'warning'), now);
}

function onDispatched(release: Release, stepId: string, commandId: string): Decision {
  const run = release.run;
  if (run?.operation === undefined || run.stepId !== stepId || run.commandId !== undefined) return null;
  const d = draft(
    { ...release, run: { ...run, commandId } },
    `${run.operation} sent (command ${commandId}).`,
    'progress',
  );
  if (!run.cancelRequested) return d;
  return { ...d, effects: [{ kind: 'cancelHostOperation', stepId, commandId }] };
}

function onHostFinished(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'hostCommandFinished' }>,
  now: Instant,
): Decision {
  const run = release.run;
  if (release.state === 'rollbackFailed' || run?.commandId !== event.commandId) return null;
  const previous = run.hosts[event.hostId];
  if (previous !== undefined && previous !== 'pending') return null;
  const recorded: Release = {
    ...release,
    run: { ...run, hosts: { ...run.hosts, [event.hostId]: event.status } },
  };
  const what = `${run.operation} on ${event.hostId}: ${event.status}`;
  if (event.status === 'success') return draft(recorded, what, 'progress');
  const detail = event.output ? `${what}\n${event.output}` : what;
  const failure = { hostId: event.hostId, status: event.status, output: event.output };
  if (run.cancelRequested) return { ...draft(recorded, what, 'warning'), detail };
  if (release.state === 'rollingBack')
    return { ...failRollback(draft(recorded, `Rollback step failed: ${what}`), failure), detail };
  if (currentHostStep(release)?.onFailure === 'warn') return { ...draft(recorded, what, 'warning'), detail };
  const operation = run.operation ?? 'deployCanary';
  const reason = { kind: 'hostOperationFailed', operation, ...failure } as const;
  return { ...startRollback(draft(recorded, `${what}; rolling back.`), reason, now), detail };
}

function onCommandFinished(
  release: Release,
  commandId: string,
  status: CommandOutcome,
  now: Instant,
): Decision {
  const run = release.run;
  if (release.state === 'rollbackFailed' || run?.commandId !== commandId) return null;
  const what = `${run.operation} ${status === 'success' ? 'finished' : `ended: ${status}`}`;
  if (run.cancelRequested) return runRollbackStep(draft(release, `${what}; rolling back.`, 'critical'), now);
  if (status === 'success') return completeHostOperation(draft(release, `${what}.`), now);
  if (release.state === 'rollingBack')
    return failRollback(draft(release, `Rollback step failed: ${what}.`), { status });
  if (currentHostStep(release)?.onFailure === 'warn') {
    const warned: Release = { ...release, warnings: [...release.warnings, `${what}; clean it up by hand.`] };
    return {
      ...enterStep(draft(warned, `${what}.`, 'warning'), release.cursor + 1, now),
      severity: 'warning',
    };
  }
  const reason = { kind: 'hostOperationFailed', operation: run.operation ?? 'deployCanary', status } as const;
  return startRollback(draft(release, `${what}; rolling back.`), reason, now);
}

function onAlarmChanged(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'alarmChanged' }>,
  now: Instant,
): Decision {
  if (!release.policy.watchedAlarms.includes(event.alarmName)) return null;
  const exposed = release.trafficSince !== undefined && !isRollingBack(release.state);
  const known = release.alarms[event.alarmName];
  // An older observation arrived late: ignore it. The same state again is a duplicate, except an ALARM while
  // exposed: one recorded before the canary took traffic must still stop the release now.
  if (known !== undefined && isBefore(event.at, known.at)) return null;
  if (known?.state === event.state && !(event.state === 'ALARM' && exposed)) return null;
  const observed: Release = {
    ...release,
    alarms: {
      ...release.alarms,
      [event.alarmName]: { state: event.state, reason: event.reason, at: event.at },
    },
  };
  const note = `Alarm ${event.alarmName} is ${event.state}.`;
  if (event.state !== 'ALARM' || !exposed) return draft(observed, note, 'progress');
  const reason = { kind: 'alarm', alarmName: event.alarmName, reason: event.reason } as const;
  return { ...startRollback(draft(observed, `${note} Rolling back.`), reason, now), detail: event.reason };
}

function onAlarmsChecked(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'alarmsChecked' }>,
  now: Instant,
): Decision {
  if (release.state !== 'verifying' || release.run?.checkId !== event.checkId) return null;
  const alarms = { ...release.alarms };
  for (const alarm of event.alarms)
    alarms[alarm.name] = { state: alarm.state, reason: alarm.reason, at: now };
  const checked: Release = { ...release, alarms };
  const firing = event.alarms.find((alarm) => alarm.state === 'ALARM');
  if (firing === undefined) {
    return enterStep(
      draft(checked, 'Validation window passed with every watched alarm quiet.'),
      release.cursor + 1,
      now,
    );
  }
  const reason = { kind: 'alarm', alarmName: firing.name, reason: firing.reason } as const;
  return {
    ...startRollback(draft(checked, `Alarm ${firing.name} is ALARM.`), reason, now),
    detail: firing.reason,
  };
}

function checkAlarms(release: Release, deadlineAt?: Instant): Draft | null {
  const run = release.run;
  const step = release.plan[release.cursor];
  if (run === undefined || step?.kind !== 'validate' || run.checkId !== undefined) return null;
  const checkId = `${run.stepId}.check`;
  const checking: Release = {
    ...release,
    run: { ...run, checkId, deadlineAt: deadlineAt ?? run.deadlineAt },
  };
  const effect: Effect = { kind: 'checkAlarms', checkId, alarmNames: step.alarms };
  return { ...draft(checking, 'Validation window over; checking alarms.', 'progress'), effects: [effect] };
}

function onDeadline(release: Release, stepId: string, now: Instant): Decision {
  const run = release.run;
  if (release.state === 'rollbackFailed' || run?.stepId !== stepId || !isAtOrAfter(now, run.deadlineAt))
    return null;
  if (run.cancelRequested) {
    return runRollbackStep(
      draft(release, `${run.operation} did not report back in time; rolling back anyway.`),
      now,
    );
  }
  if (release.state === 'rollingBack') {
    return failRollback(draft(release, `Rollback step ${run.operation} did not finish in time.`), {
      status: 'timedOut',
    });
  }
  if (release.state === 'verifying' && run.checkId === undefined) {
    // The window's timer was lost: check now, and give the check its own deadline.
    return checkAlarms(release, addSeconds(now, VALIDATION_MARGIN_SECONDS));
  }
  const reason = { kind: 'deadlineExceeded', state: release.state } as const;
  return startRollback(draft(release, `No progress in ${release.state} before its deadline.`), reason, now);
}

function currentHostStep(release: Release) {
  const step = release.plan[release.cursor];
  return step?.kind === 'hostOperation' ? step : undefined;
}

function commit(release: Release, d: Draft, event: ReleaseEvent, now: Instant): Transition {
  const entry: HistoryEntry = {
    seq: release.historyLength + 1,
    at: now,
    actor: actorOf(event),
    cause: event.kind,
    from: release.state,
    to: d.release.state,
    note: d.note,
  };
  const next: Release = {
    ...d.release,
    version: release.version + 1,
    historyLength: entry.seq,
    updatedAt: now,
  };
  const notice: Effect = {
    kind: 'notify',
    headline: d.note,
    severity: d.severity,
    ...(d.detail ? { detail: d.detail } : {}),
  };
  return { ok: true, changed: true, release: next, effects: [...d.effects, notice], history: [entry] };
}

function unchanged(release: Release): Transition {
  return { ok: true, changed: false, release, effects: [], history: [] };
}

function refuse(reason: Refusal, message: string): Transition {
  return { ok: false, reason, message };
}

/** Who caused an event: the person for human events, the system part otherwise. */
export function actorOf(event: ReleaseEvent): Actor {
  if ('actor' in event) return event.actor;
  switch (event.kind) {
    case 'alarmChanged':
    case 'alarmsChecked':
      return { kind: 'system', id: 'cloudwatch' };
    case 'timerElapsed':
      return { kind: 'system', id: 'scheduler' };
    case 'deadlineExceeded':
      return { kind: 'system', id: 'sweeper' };
    default:
      return { kind: 'system', id: 'ssm' };
  }
}

export function refusalMessage(refusal: Refusal): string {
  switch (refusal) {
    case 'not-authorized':
      return 'You are not an approver for this service.';
    case 'requester-cannot-approve':
      return 'This service needs four eyes: someone other than the requester must approve.';
    case 'already-approved':
      return 'You already approved this release.';
    case 'not-awaiting-approval':
      return 'This release is not waiting for approval.';
    case 'release-finished':
      return 'This release already ended.';
    case 'already-rolling-back':
      return 'This release is already rolling back.';
    case 'not-rollback-failed':
      return 'Only a failed rollback can be retried.';
    default:
      return assertNever(refusal);
  }
}

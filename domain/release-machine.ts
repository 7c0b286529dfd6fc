import { checkAlarms, onAlarmChanged, onAlarmsChecked } from './alarm-events';
import { onCanaryAnalysed, onIntervalTimer } from './analysis-events';
import {
  onCanaryStackCreated,
  onCanaryStackCreateFailed,
  onCanaryStackDeleted,
  onCanaryStackDeleteFailed,
} from './canary-stack-events';
import { onPathCounted } from './group-steps';
import { onHookFinished } from './hook-events';
import { onCommandFinished, onDeadline, onDispatched, onHostFinished } from './host-events';
import { onListenerSwitched, onListenerSwitchFailed } from './listener-events';
import { assertNever } from './plan';
import { approvalRefusal, isRollingBack, isTerminal, refusalMessage, stopRefusal } from './policies';
import { onRolloutTimer, onTargetsGated, onTargetsGateFailed } from './rollout';
import { type Draft, draft, enterStep, runRollbackStep, startRollback } from './steps';
import { isBefore } from './time';
import type {
  Actor,
  Effect,
  HistoryEntry,
  Instant,
  Refusal,
  Release,
  ReleaseEvent,
  Transition,
} from './types';
import { STATE_WORDS } from './words';

type Decision = Draft | { refused: Refusal; message: string } | null;

/**
 * The release engine: applies one event to one release. Pure: it returns the next release, the effects
 * to run and the history to append; it never runs anything. A stale or duplicate event returns
 * `changed: false` with no effects, so replaying any event is harmless.
 *
 * @example
 * const t = transition(release, { kind: 'approved', actor: { kind: 'person', id: 'U0APPROVER' } }, now);
 * if (t.ok && t.changed) await store.save({ release: t.release, history: t.history, effects: [] }, release.version);
 */
export function transition(release: Release, event: ReleaseEvent, now: Instant): Transition {
  if (isTerminal(release.state)) {
    return 'actor' in event && event.actor.kind === 'person'
      ? refuse('release-finished', `This release already ended: it ${STATE_WORDS[release.state]}.`)
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
      return onTimer(release, event.timerId, now);
    case 'canaryAnalysed':
      return onCanaryAnalysed(release, event, now);
    case 'pathCounted':
      return onPathCounted(release, event);
    case 'canaryStackReady':
      return release.state === 'awaitingCanaryStack'
        ? enterStep(draft(release, { kind: 'canaryStackReady' }), release.cursor + 1, now)
        : null;
    case 'canaryStackFailed':
      return isRollingBack(release.state)
        ? null
        : startRollback(
            draft(release, { kind: 'canaryStackFailed', reason: event.reason }),
            { kind: 'canaryStackFailed', reason: event.reason },
            now,
          );
    case 'canaryStackCreated':
      return onCanaryStackCreated(release, event, now);
    case 'canaryStackCreateFailed':
      return onCanaryStackCreateFailed(release, event, now);
    case 'canaryStackDeleted':
      return onCanaryStackDeleted(release, event, now);
    case 'canaryStackDeleteFailed':
      return onCanaryStackDeleteFailed(release, event, now);
    case 'hookFinished':
      return onHookFinished(release, event, now);
    case 'listenerSwitched':
      return onListenerSwitched(release, event.stepId, now);
    case 'listenerSwitchFailed':
      return onListenerSwitchFailed(release, event.stepId, event.reason, now);
    case 'targetsGated':
      return onTargetsGated(release, event, now);
    case 'targetsGateFailed':
      return onTargetsGateFailed(release, event, now);
    case 'deadlineExceeded':
      return onDeadline(release, event.stepId, now);
    default:
      return assertNever(event);
  }
}

/**
 * The validation window's timer. Only the running window's own timer counts, and only once the window is over:
 * a timer event sent early (forged, or a clock that runs ahead) cannot cut a window short.
 */
function onTimer(release: Release, timerId: string, now: Instant): Decision {
  const run = release.run;
  if (run?.kind === 'hostOperation') return onRolloutTimer(release, timerId, now);
  if (run?.kind !== 'validate') return null;
  if (run.analysis?.next?.timerId === timerId) return onIntervalTimer(release, timerId, now);
  if (run.timerId !== timerId || isBefore(now, run.windowEndsAt)) return null;
  return checkAlarms(release);
}

function onApproval(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'approved' | 'rejected' }>,
  now: Instant,
): Decision {
  if (release.state !== 'awaitingApproval' && release.state !== 'inconclusive') {
    return {
      refused: 'not-awaiting-approval',
      message: `The release is ${STATE_WORDS[release.state]}, not waiting for approval.`,
    };
  }
  const refusal = approvalRefusal(release, event.actor);
  if (refusal) return { refused: refusal, message: refusalMessage(refusal) };
  if (event.kind === 'rejected') {
    const by = event.actor.id;
    const reason = { kind: 'rejected', by, comment: event.comment } as const;
    const note = { kind: 'rejected', by, ...(event.comment ? { comment: event.comment } : {}) } as const;
    return startRollback(draft(release, note), reason, now);
  }
  const approved: Release = {
    ...release,
    approvals: [...release.approvals, { by: event.actor.id, at: now }],
  };
  const run = release.run;
  if (run?.kind === 'inconclusive') {
    // Promoting an inconclusive window is the approval too: the approver saw which data was missing, or the score.
    const next = release.plan[release.cursor + 1]?.kind === 'approval' ? 2 : 1;
    const by = event.actor.id;
    const note = run.marginal
      ? ({ kind: 'promotedMarginal', by, score: run.marginal.score } as const)
      : ({ kind: 'promotedWithoutData', by, noData: run.noData } as const);
    return enterStep(draft(approved, note, 'warning'), release.cursor + next, now);
  }
  return enterStep(draft(approved, { kind: 'approved', by: event.actor.id }), release.cursor + 1, now);
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
    ? startRollback(draft(release, { kind: 'aborted', by }), { kind: 'aborted', by }, now)
    : startRollback(
        draft(release, { kind: 'rollbackRequested', by }),
        { kind: 'rolledBackByPerson', by },
        now,
      );
}

function onRetry(release: Release, actor: Actor, now: Instant): Decision {
  if (release.state !== 'rollbackFailed' || release.rollback === undefined) {
    return {
      refused: 'not-rollback-failed',
      message: `The release is ${STATE_WORDS[release.state]}; only a failed rollback can be retried.`,
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
  return runRollbackStep(draft(retrying, { kind: 'rollbackRetried', by: actor.id }, 'warning'), now);
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
  const notice: Effect = { kind: 'notify', notice: d.note, severity: d.severity };
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
    case 'canaryAnalysed':
      return { kind: 'system', id: 'cloudwatch' };
    case 'timerElapsed':
      return { kind: 'system', id: 'scheduler' };
    case 'listenerSwitched':
    case 'listenerSwitchFailed':
    case 'targetsGated':
    case 'targetsGateFailed':
      return { kind: 'system', id: 'elb' };
    case 'deadlineExceeded':
      return { kind: 'system', id: 'sweeper' };
    case 'hookFinished':
      return { kind: 'system', id: 'hook' };
    case 'canaryStackCreated':
    case 'canaryStackCreateFailed':
    case 'canaryStackDeleted':
    case 'canaryStackDeleteFailed':
      return { kind: 'system', id: 'cloudformation' };
    default:
      return { kind: 'system', id: 'ssm' };
  }
}

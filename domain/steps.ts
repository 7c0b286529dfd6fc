import { startAnalysis } from './canary-analysis';
import { putBack, putBackEffects, recordNewVersion, settleAfter } from './group-steps';
import type { Notice } from './notice';
import { assertNever, exposureOfStep, rollbackSteps } from './plan';
import { HOST_OPERATION_MARGIN_SECONDS, operationRun } from './step-runs';
import { addSeconds, isAtOrAfter } from './time';
import type {
  CommandOutcome,
  Effect,
  HostOperationRun,
  Instant,
  NoticeSeverity,
  OperationRun,
  Release,
  RollbackReason,
  Step,
  StepRun,
  UndoStep,
} from './types';
import { operationWords } from './words';

export { HOST_OPERATION_MARGIN_SECONDS };
/** Margin after a validation window for the timer to fire and the alarm check to come back. */
export const VALIDATION_MARGIN_SECONDS = 300;

/** A transition in the making: the next release, the effects to run, and what to say about it. */
export interface Draft {
  readonly release: Release;
  readonly effects: readonly Effect[];
  readonly note: Notice;
  readonly severity: NoticeSeverity;
}

export function draft(release: Release, note: Notice, severity: NoticeSeverity = 'info'): Draft {
  return { release, effects: [], note, severity };
}

function withEffects(d: Draft, ...effects: Effect[]): Draft {
  return { ...d, effects: [...d.effects, ...effects] };
}

export function nextStepId(release: Release): { stepId: string; stepCount: number } {
  const stepCount = release.stepCount + 1;
  return { stepId: `${release.id}.${stepCount}`, stepCount };
}

/**
 * Starts a host operation or a listener switch: what runs, what it may expose, and the effect that runs it. The
 * exposure is added now, before anything ran: it may have happened even if no report ever comes back.
 */
function dispatch(d: Draft, step: UndoStep, origin: StepRun['origin'], now: Instant): Draft {
  const { stepId, stepCount } = nextStepId(d.release);
  const common = { stepId, origin, startedAt: now };
  const { run, effect, takesTraffic } = operationRun(step, common, now);
  const adds = exposureOfStep(step).adds;
  const exposure =
    adds && !d.release.exposure.includes(adds) ? [...d.release.exposure, adds] : d.release.exposure;
  const trafficSince = takesTraffic ? (d.release.trafficSince ?? now) : d.release.trafficSince;
  return withEffects(
    { ...d, release: { ...d.release, state: step.state, run, stepCount, exposure, trafficSince } },
    effect,
  );
}

/**
 * Moves the forward path to plan step `index` and starts it; past the last step the release succeeds.
 *
 * @example
 * enterStep(draft(release, { kind: 'canaryStackReady' }), 1, now).release.state // 'startingMirror'
 */
export function enterStep(d: Draft, index: number, now: Instant): Draft {
  const step = d.release.plan[index];
  const settling = settleAfter(d.release, index);
  if (step === undefined) return succeed({ ...d, release: settling });
  const moved: Draft = { ...d, release: { ...settling, cursor: index } };
  if (step.kind === 'hostOperation' || step.kind === 'switchListener' || step.kind === 'canaryStack')
    return dispatch(moved, step, 'plan', now);
  const { stepId, stepCount } = nextStepId(moved.release);
  const common = { stepId, origin: 'plan', startedAt: now } as const;
  const waiting = (run: StepRun): Draft => ({
    ...moved,
    release: { ...moved.release, state: step.state, run, stepCount },
  });
  switch (step.kind) {
    case 'awaitCanaryStack':
      return waiting({ ...common, kind: step.kind, step, deadlineAt: addSeconds(now, step.timeoutSeconds) });
    case 'hook': {
      const deadlineAt = addSeconds(now, step.timeoutSeconds + HOST_OPERATION_MARGIN_SECONDS);
      const { name, point, target, timeoutSeconds } = step;
      const call: Effect = {
        kind: 'callHook',
        stepId,
        releaseId: d.release.id,
        name,
        point,
        target,
        timeoutSeconds,
      };
      return withEffects(waiting({ ...common, kind: step.kind, step, deadlineAt }), call);
    }
    case 'approval':
      return waiting({ ...common, kind: step.kind, step, deadlineAt: addSeconds(now, step.timeoutSeconds) });
    case 'validate': {
      const timerId = `${stepId}.window`;
      const windowEndsAt = addSeconds(now, step.windowSeconds);
      const deadlineAt = addSeconds(now, step.windowSeconds + VALIDATION_MARGIN_SECONDS);
      const window = { ...common, kind: step.kind, step, timerId, windowEndsAt, deadlineAt };
      const { run, effects } = startAnalysis(moved.release, window);
      return withEffects(waiting(run), { kind: 'setTimer', timerId, at: windowEndsAt }, ...effects);
    }
    default:
      return assertNever(step);
  }
}

function succeed(d: Draft): Draft {
  const { run: _finished, ...release } = d.release;
  return { ...d, release: { ...release, state: 'succeeded' }, severity: 'info' };
}

/**
 * A host operation or listener switch ended well: clear what it undid, record the version users now get (a
 * promotion, or the listener switched to the new colour), and move on along the path the step came from.
 */
export function completeStep(d: Draft, now: Instant): Draft {
  const run = d.release.run;
  if (run?.kind !== 'hostOperation' && run?.kind !== 'switchListener' && run?.kind !== 'canaryStack')
    return d;
  const cleared = exposureOfStep(run.step).clears;
  let release: Release = cleared
    ? { ...d.release, exposure: d.release.exposure.filter((e) => e !== cleared) }
    : d.release;
  let next: Draft = { ...d, release };
  if (putsNewVersionLive(run)) {
    const recorded = recordNewVersion(release, run.step);
    release = recorded.release;
    next = withEffects({ ...next, release }, recorded.effect);
  }
  const rollback = release.rollback;
  if (run.origin === 'rollback' && rollback) {
    return runRollbackStep(
      { ...next, release: { ...release, rollback: { ...rollback, cursor: rollback.cursor + 1 } } },
      now,
    );
  }
  return enterStep(next, release.cursor + 1, now);
}

/** A promotion, or the forward listener switch: from now on users get the new version. */
function putsNewVersionLive(run: OperationRun): boolean {
  switch (run.kind) {
    case 'hostOperation':
      return run.step.operation === 'promote';
    case 'switchListener':
      return run.step.direction === 'forward' && run.origin === 'plan';
    case 'canaryStack':
      return false;
  }
}

/**
 * Starts a rollback. If a host operation is still running, it is cancelled and the rollback waits for it to
 * end (or for its deadline), so an undo can never race the operation it undoes on the same host.
 */
export function startRollback(d: Draft, reason: RollbackReason, now: Instant): Draft {
  const { release } = d;
  const steps = rollbackSteps(release.undo, release.exposure);
  const rolling: Release = {
    ...release,
    state: 'rollingBack',
    rollback: { reason, startedAt: now, steps, cursor: 0, attempts: 1 },
  };
  const run = release.run;
  let next: Draft = { ...d, release: rolling, severity: 'critical' };
  if (run?.kind === 'validate' && run.checkId === undefined) {
    next = withEffects(next, { kind: 'cancelTimer', timerId: run.timerId });
  }
  if (run?.kind === 'validate' && run.analysis?.next) {
    next = withEffects(next, { kind: 'cancelTimer', timerId: run.analysis.next.timerId });
  }
  // Past its deadline the operation has outlived its own timeout on every host (a switch, its retries): nothing
  // is left to wait for.
  if (
    (run?.kind === 'switchListener' ||
      run?.kind === 'canaryStack' ||
      (run?.kind === 'hostOperation' && !betweenCommands(run))) &&
    !isAtOrAfter(now, run.deadlineAt)
  ) {
    next = { ...next, release: { ...rolling, run: { ...run, cancelRequested: true } } };
    return run.kind !== 'hostOperation' || run.commandId === undefined
      ? next
      : withEffects(next, { kind: 'cancelHostOperation', stepId: run.stepId, commandId: run.commandId });
  }
  return runRollbackStep(next, now);
}

/** A drained rollout between two batches' commands: it reads or moves targets, and nothing runs on hosts. */
function betweenCommands(run: HostOperationRun): boolean {
  return run.rollout !== undefined && run.rollout.phase !== 'swapping';
}

/** Runs the rollback step at the rollback's cursor, or finishes the rollback when none is left. */
export function runRollbackStep(d: Draft, now: Instant): Draft {
  const rollback = d.release.rollback;
  if (rollback === undefined) return d;
  const step = rollback.steps[rollback.cursor];
  if (step !== undefined) return dispatch(d, step, 'rollback', now);
  const { run: _finished, ...release } = d.release;
  const restored: Release = {
    ...release,
    state: 'rolledBack',
    warnings: [...release.warnings, ...idleLeftBehind(release)],
  };
  if (restored.group) return withEffects({ ...d, release: putBack(restored) }, ...putBackEffects(restored));
  if (release.recordedVersion !== release.toVersion) return { ...d, release: restored };
  return withEffects(
    { ...d, release: { ...restored, recordedVersion: release.fromVersion } },
    { kind: 'recordCurrentVersion', service: release.service, version: release.fromVersion },
  );
}

/** A rolled-back blue/green release leaves its version on the idle colour: out of traffic, but say so. */
function idleLeftBehind(release: Release): string[] {
  const { strategy } = release;
  if (strategy.kind !== 'blueGreen') return [];
  return [
    `${strategy.to} is out of traffic and may still run ${release.toVersion}; do not switch the listener to it by hand. The next release to ${strategy.to} replaces it.`,
  ];
}

/** The step the current run belongs to, whichever path it came from. */
export function runningStep(release: Release): Step | undefined {
  return release.run?.step;
}

/** What is running, in a person's words: `promoting the new version on the stable fleet`, `switching the listener`. */
export function describeRun(run: StepRun): string {
  switch (run.kind) {
    case 'hostOperation':
      return operationWords(run.step.operation, run.step.fleet, run.step.member);
    case 'switchListener':
      return run.step.direction === 'forward' ? 'switching the listener' : 'switching the listener back';
    case 'canaryStack':
      return run.step.action === 'create' ? 'creating the canary stack' : 'deleting the canary stack';
    case 'hook':
      return `the hook ${run.step.name}`;
    default:
      return 'the step';
  }
}

/** The run when it is a host operation (with SSM's command and host reports); otherwise undefined. */
export function hostOperationRunOf(release: Release): HostOperationRun | undefined {
  return release.run?.kind === 'hostOperation' ? release.run : undefined;
}

/** A rollback step failed: stop, say so loudly, and wait for a person to retry. */
export function failRollback(
  d: Draft,
  failure: { hostId?: string; status: CommandOutcome; output?: string },
): Draft {
  const rollback = d.release.rollback;
  if (rollback === undefined) return d;
  return {
    ...d,
    release: { ...d.release, state: 'rollbackFailed', rollback: { ...rollback, failure } },
    severity: 'critical',
  };
}

import { exposureOfStep, rollbackSteps } from './plan';
import { addSeconds, isAtOrAfter } from './time';
import type {
  CommandOutcome,
  Effect,
  HostOperationStep,
  Instant,
  ListenerSwitchStep,
  NoticeSeverity,
  Release,
  RollbackReason,
  Step,
  StepRun,
  UndoStep,
} from './types';

/** Margin after a host operation's own timeout for SSM delivery and the result event to reach us. */
export const HOST_OPERATION_MARGIN_SECONDS = 120;
/** Margin after a validation window for the timer to fire and the alarm check to come back. */
export const VALIDATION_MARGIN_SECONDS = 300;

/** A transition in the making: the next release, the effects to run, and what to say about it. */
export interface Draft {
  readonly release: Release;
  readonly effects: readonly Effect[];
  readonly note: string;
  readonly severity: NoticeSeverity;
  readonly detail?: string;
}

export function draft(release: Release, note: string, severity: NoticeSeverity = 'info'): Draft {
  return { release, effects: [], note, severity };
}

function withEffects(d: Draft, ...effects: Effect[]): Draft {
  return { ...d, effects: [...d.effects, ...effects] };
}

function nextStepId(release: Release): { stepId: string; stepCount: number } {
  const stepCount = release.stepCount + 1;
  return { stepId: `${release.id}.${stepCount}`, stepCount };
}

/**
 * Starts a host operation or a listener switch: what runs, what it may expose, and the effect that runs it. The
 * exposure is added now, before anything ran: it may have happened even if no report ever comes back.
 */
function dispatch(d: Draft, step: UndoStep, now: Instant): Draft {
  const { stepId, stepCount } = nextStepId(d.release);
  const { run, effect, takesTraffic } =
    step.kind === 'hostOperation'
      ? hostOperationRun(step, stepId, now)
      : listenerSwitchRun(step, stepId, now);
  const adds = exposureOfStep(step).adds;
  const exposure =
    adds && !d.release.exposure.includes(adds) ? [...d.release.exposure, adds] : d.release.exposure;
  const trafficSince = takesTraffic ? (d.release.trafficSince ?? now) : d.release.trafficSince;
  return withEffects(
    { ...d, release: { ...d.release, state: step.state, run, stepCount, exposure, trafficSince } },
    effect,
  );
}

interface Started {
  readonly run: StepRun;
  readonly effect: Effect;
  /** True when the step puts (real or mirrored) traffic on the new version: alarms count from then on. */
  readonly takesTraffic: boolean;
}

function hostOperationRun(step: HostOperationStep, stepId: string, now: Instant): Started {
  return {
    run: {
      stepId,
      operation: step.operation,
      startedAt: now,
      deadlineAt: addSeconds(now, step.timeoutSeconds + HOST_OPERATION_MARGIN_SECONDS),
      hosts: {},
    },
    effect: {
      kind: 'runHostOperation',
      stepId,
      operation: step.operation,
      fleet: step.fleet,
      targets: step.targets,
      parameters: step.parameters,
      timeoutSeconds: step.timeoutSeconds,
      ...(step.rateControl ? { rateControl: step.rateControl } : {}),
    },
    takesTraffic: step.operation === 'startMirror' || step.operation === 'shiftTraffic',
  };
}

function listenerSwitchRun(step: ListenerSwitchStep, stepId: string, now: Instant): Started {
  return {
    run: {
      stepId,
      listenerSwitch: step.direction,
      startedAt: now,
      deadlineAt: addSeconds(now, step.timeoutSeconds),
      hosts: {},
    },
    effect: {
      kind: 'switchListener',
      stepId,
      listenerArn: step.listenerArn,
      ...(step.ruleArn ? { ruleArn: step.ruleArn } : {}),
      fromTargetGroupArn: step.fromTargetGroupArn,
      toTargetGroupArn: step.toTargetGroupArn,
    },
    takesTraffic: step.direction === 'forward',
  };
}

/**
 * Moves the forward path to plan step `index` and starts it; past the last step the release succeeds.
 *
 * @example
 * enterStep(draft(release, 'canary deployed'), 1, now).release.state // 'startingMirror'
 */
export function enterStep(d: Draft, index: number, now: Instant): Draft {
  const step = d.release.plan[index];
  if (step === undefined) return succeed(d);
  const moved: Draft = { ...d, release: { ...d.release, cursor: index } };
  switch (step.kind) {
    case 'hostOperation':
    case 'switchListener':
      return dispatch(moved, step, now);
    case 'awaitCanaryStack':
    case 'approval': {
      const { stepId, stepCount } = nextStepId(moved.release);
      const run: StepRun = {
        stepId,
        startedAt: now,
        deadlineAt: addSeconds(now, step.timeoutSeconds),
        hosts: {},
      };
      return { ...moved, release: { ...moved.release, state: step.state, run, stepCount } };
    }
    case 'validate': {
      const { stepId, stepCount } = nextStepId(moved.release);
      const timerId = `${stepId}.window`;
      const run: StepRun = {
        stepId,
        startedAt: now,
        deadlineAt: addSeconds(now, step.windowSeconds + VALIDATION_MARGIN_SECONDS),
        hosts: {},
        timerId,
      };
      return withEffects(
        { ...moved, release: { ...moved.release, state: step.state, run, stepCount } },
        { kind: 'setTimer', timerId, at: addSeconds(now, step.windowSeconds) },
      );
    }
  }
}

function succeed(d: Draft): Draft {
  const { run: _finished, ...release } = d.release;
  return { ...d, release: { ...release, state: 'succeeded' }, severity: 'info' };
}

/**
 * A host operation or listener switch ended well: clear what it undid, record the version users now get (a
 * promotion, or the listener switched to the new colour), and move on.
 */
export function completeStep(d: Draft, now: Instant): Draft {
  const run = d.release.run;
  if (run === undefined) return d;
  const step = runningStep(d.release);
  const cleared =
    step?.kind === 'hostOperation' || step?.kind === 'switchListener'
      ? exposureOfStep(step).clears
      : undefined;
  let release: Release = cleared
    ? { ...d.release, exposure: d.release.exposure.filter((e) => e !== cleared) }
    : d.release;
  let next: Draft = { ...d, release };
  if (run.operation === 'promote' || (run.listenerSwitch === 'forward' && release.rollback === undefined)) {
    release = { ...release, recordedVersion: release.toVersion };
    next = withEffects(
      { ...next, release },
      { kind: 'recordCurrentVersion', service: release.service, version: release.toVersion },
    );
  }
  const rollback = release.rollback;
  if (rollback) {
    return runRollbackStep(
      { ...next, release: { ...release, rollback: { ...rollback, cursor: rollback.cursor + 1 } } },
      now,
    );
  }
  return enterStep(next, release.cursor + 1, now);
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
  if (run?.timerId !== undefined && run.checkId === undefined) {
    next = withEffects(next, { kind: 'cancelTimer', timerId: run.timerId });
  }
  // Past its deadline the operation has outlived its own timeout on every host (a switch, its retries): nothing
  // is left to wait for.
  const inFlight = run?.operation !== undefined || run?.listenerSwitch !== undefined;
  if (run !== undefined && inFlight && !isAtOrAfter(now, run.deadlineAt)) {
    next = { ...next, release: { ...rolling, run: { ...run, cancelRequested: true } } };
    return run.commandId === undefined
      ? next
      : withEffects(next, { kind: 'cancelHostOperation', stepId: run.stepId, commandId: run.commandId });
  }
  return runRollbackStep(next, now);
}

/** Runs the rollback step at the rollback's cursor, or finishes the rollback when none is left. */
export function runRollbackStep(d: Draft, now: Instant): Draft {
  const rollback = d.release.rollback;
  if (rollback === undefined) return d;
  const step = rollback.steps[rollback.cursor];
  if (step !== undefined) return dispatch(d, step, now);
  const { run: _finished, ...release } = d.release;
  const restored: Release = {
    ...release,
    state: 'rolledBack',
    warnings: [...release.warnings, ...idleLeftBehind(release)],
  };
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

/** The step the current run belongs to: the rollback's once it runs its own steps, the plan's before. */
export function runningStep(release: Release): Step | undefined {
  const { rollback, run } = release;
  // A rollback waiting for a cancelled operation to end has not started its first step: the run is the plan's.
  if (rollback && !run?.cancelRequested) return rollback.steps[rollback.cursor];
  return release.plan[release.cursor];
}

/** What is running, for people: the host operation's name, or the listener switch. */
export function describeRun(run: StepRun): string {
  if (run.listenerSwitch === 'forward') return 'the listener switch';
  if (run.listenerSwitch === 'back') return 'the listener switch back';
  return run.operation ?? 'the step';
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

import type { Effect } from './events';
import type { GateAction, Rollout, TrafficDrain } from './rollout-types';
import type { HostOperationRun } from './runs';
import { addSeconds } from './time';
import type { HostOperationStep, Instant } from './types';

/** A drained rollout's run: a host operation whose step names target groups. */
export type RolloutRun = HostOperationRun & {
  readonly step: HostOperationStep & { readonly drain: TrafficDrain };
  readonly rollout: Rollout;
};

export function isRolloutRun(run: HostOperationRun | undefined): run is RolloutRun {
  return run?.rollout !== undefined && run.step.drain !== undefined;
}

/** Run Command takes at most 50 instance ids in one SendCommand (SSM's `InstanceIdList`). */
export const MAX_BATCH_HOSTS = 50;

/**
 * The hosts in batches of `batchSize` (a count, or a share of the hosts rounded up), in a stable order. A batch
 * never holds every host of a fleet of two or more: while a batch is out, the target groups keep one serving. Nor
 * more than 50 hosts: a batch is one Run Command, which names at most 50 instances.
 * Hosts already out of service (an earlier swap's failures) come first: they serve no one, so swapping them first
 * puts them back before a serving host has to leave.
 *
 * @example
 * batchesOf(['i-1', 'i-2', 'i-3', 'i-4'], '50%')   // [['i-1', 'i-2'], ['i-3', 'i-4']]
 * batchesOf(['i-1', 'i-2'], '100%')               // [['i-1'], ['i-2']]
 * batchesOf(['i-1', 'i-2', 'i-3'], '1', ['i-3']) // [['i-3'], ['i-1'], ['i-2']]
 */
export function batchesOf(
  instanceIds: readonly string[],
  batchSize: string,
  outOfService: readonly string[] = [],
): string[][] {
  const out = [...new Set(outOfService)].sort();
  const hosts = [...new Set([...out, ...[...instanceIds].sort()])];
  const asked = batchSize.endsWith('%')
    ? Math.ceil((hosts.length * Number.parseFloat(batchSize)) / 100)
    : Number.parseInt(batchSize, 10);
  const size = Math.max(1, Math.min(asked || 1, hosts.length - 1, MAX_BATCH_HOSTS));
  const batches: string[][] = [];
  for (let i = 0; i < hosts.length; i += size) batches.push(hosts.slice(i, i + size));
  return batches;
}

/** The name of the rollout's current check: a report or timer for any other check is stale. */
export function gateIdOf(run: RolloutRun): string {
  const { rollout } = run;
  return rollout.phase === 'surveying'
    ? `${run.stepId}.survey.${rollout.attempt}`
    : `${run.stepId}.${rollout.batch + 1}.${rollout.phase}.${rollout.attempt}`;
}

/** The timer that brings the next check of a phase that has not settled. */
export function checkTimerIdOf(run: RolloutRun): string {
  return `${gateIdOf(run)}.wait`;
}

/** The step id a batch's Run Command carries: its dispatch report names the batch, not just the step. */
export function batchStepIdOf(run: RolloutRun): string {
  return `${run.stepId}.batch${run.rollout.batch + 1}`;
}

export function currentBatch(run: RolloutRun): readonly string[] {
  return run.rollout.batches[run.rollout.batch] ?? [];
}

/** The effect of the run's current check. */
export function gateEffect(run: RolloutRun, action: GateAction, instanceIds: readonly string[]): Effect {
  return {
    kind: 'gateTargets',
    stepId: run.stepId,
    gateId: gateIdOf(run),
    action,
    attempt: run.rollout.attempt,
    targetGroupArns: run.step.drain.targetGroupArns,
    instanceIds,
  };
}

/** How long a phase may take before the release gives up on it. */
export function phaseDeadline(run: RolloutRun, now: Instant, commandMarginSeconds: number): Instant {
  const { drain, timeoutSeconds } = run.step;
  switch (run.rollout.phase) {
    case 'surveying':
    case 'draining':
      return addSeconds(now, drain.drainTimeoutSeconds);
    case 'swapping':
      return addSeconds(now, timeoutSeconds + commandMarginSeconds);
    case 'admitting':
      return addSeconds(now, drain.healthyTimeoutSeconds);
  }
}

/** A drained step starts by reading who is registered in its target groups. */
export function surveyStart(
  step: HostOperationStep & { readonly drain: TrafficDrain },
  common: Pick<HostOperationRun, 'stepId' | 'origin' | 'startedAt'>,
  now: Instant,
): { run: RolloutRun; effect: Effect } {
  const rollout: Rollout = { batches: [], batch: 0, phase: 'surveying', attempt: 0 };
  const run: RolloutRun = { ...common, kind: 'hostOperation', step, hosts: {}, rollout, deadlineAt: now };
  const timed: RolloutRun = { ...run, deadlineAt: phaseDeadline(run, now, 0) };
  return { run: timed, effect: gateEffect(timed, 'survey', []) };
}

import { commandEffect } from './commands';
import { errorBudget } from './error-budget';
import type { Effect, ReleaseEvent } from './events';
import type { Consequence, Notice } from './notice';
import {
  batchStepIdOf,
  checkTimerIdOf,
  currentBatch,
  gateEffect,
  gateIdOf,
  isRolloutRun,
  type RolloutRun,
} from './rollout-batches';
import { moved, place, planBatches, startBatch, undrained } from './rollout-draining';
import type { GateReport } from './rollout-types';
import { completeStep, type Draft, draft, failRollback, hostOperationRunOf, startRollback } from './steps';
import { addSeconds, isBefore } from './time';
import type { CommandOutcome, Instant, Release } from './types';

/*
 * A swap that never meets a user: the fleet's hosts leave the load balancer batch by batch before they are touched,
 * the way CodeDeploy's BlockTraffic/AllowTraffic hooks do.
 *
 *   survey ─► batch 1: drain ──► swap (Run Command on the batch) ──► admit ──► batch 2 … ──► the step completes
 *               │ not drained yet  │ more failed hosts than maxErrors   │ not healthy yet
 *               └ timer, check again └ roll back                        └ timer, check again
 *
 * Every wait is a timer (the deregistration delay, the health checks' interval), bounded by the phase's deadline;
 * nothing polls. The hosts the agent took out stay listed on the release (`outOfService`) until they are back in,
 * so a rollback's own drained swap puts them back even if the promotion stopped halfway. Planning the batches and
 * draining each is in rollout-draining.ts; the checks, the swap, and what follows a batch's command are here.
 */

function rolloutRunOf(release: Release): RolloutRun | undefined {
  const run = hostOperationRunOf(release);
  return release.state !== 'rollbackFailed' && isRolloutRun(run) ? run : undefined;
}

function withRun(release: Release, run: RolloutRun): Release {
  return { ...release, run };
}

/** A report from the target groups: the running check's own, and only once. */
export function onTargetsGated(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'targetsGated' }>,
  now: Instant,
): Draft | null {
  const run = rolloutRunOf(release);
  if (run === undefined || gateIdOf(run) !== event.gateId || run.rollout.checkAt !== undefined) return null;
  const { phase } = run.rollout;
  if (phase === 'swapping') return null;
  if (phase === 'surveying') return planBatches(release, run, event.report, now);
  if (!event.report.settled) return waitForTargets(release, run, phase, event.report, now);
  return phase === 'draining' ? swapBatch(release, run, now) : batchAdmitted(release, run, now);
}

/** The timer of a check that had not settled: only the running check's, and not before it is due. */
export function onRolloutTimer(release: Release, timerId: string, now: Instant): Draft | null {
  const run = rolloutRunOf(release);
  const checkAt = run?.rollout.checkAt;
  if (run === undefined || checkAt === undefined || checkTimerIdOf(run) !== timerId) return null;
  if (isBefore(now, checkAt)) return null;
  const { phase } = run.rollout;
  if (phase !== 'draining' && phase !== 'admitting') return null;
  const { checkAt: _due, ...rollout } = run.rollout;
  const next: RolloutRun = { ...run, rollout: { ...rollout, attempt: rollout.attempt + 1 } };
  const action = phase === 'draining' ? 'drain' : 'admit';
  const effect = gateEffect(next, action, phase === 'draining' ? currentBatch(next) : admitting(next));
  return {
    ...draft(withRun(release, next), { kind: 'targetsChecking', phase }, 'progress'),
    effects: [effect],
  };
}

/** The load balancer refused for good: nothing more can be drained or admitted, so the release is undone. */
export function onTargetsGateFailed(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'targetsGateFailed' }>,
  now: Instant,
): Draft | null {
  const run = rolloutRunOf(release);
  if (run === undefined || gateIdOf(run) !== event.gateId) return null;
  const note = (leadsTo: Consequence): Notice => ({
    kind: 'targetGateRefused',
    reason: event.reason,
    leadsTo,
  });
  // A rollback must bring the old version back even without the load balancer: undrained, as before drains.
  if (release.state === 'rollingBack') return undrained(draft(release, note('none'), 'critical'), run, now);
  const output = `load balancer: ${event.reason}`;
  const reason = {
    kind: 'hostOperationFailed',
    operation: run.step.operation,
    status: 'failed',
    output,
  } as const;
  return startRollback(draft(release, note('rollingBack')), reason, now);
}

function waitForTargets(
  release: Release,
  run: RolloutRun,
  phase: 'draining' | 'admitting',
  report: GateReport,
  now: Instant,
): Draft {
  const checkAgainInSeconds = Math.max(1, Math.ceil(report.checkAgainInSeconds));
  const checkAt = addSeconds(now, checkAgainInSeconds);
  const next: RolloutRun = { ...run, rollout: { ...run.rollout, checkAt } };
  const note: Notice = { kind: 'targetsSettling', phase, targets: report.unsettled, checkAgainInSeconds };
  const timer: Effect = { kind: 'setTimer', timerId: checkTimerIdOf(next), at: checkAt };
  return { ...draft(withRun(release, next), note, 'progress'), effects: [timer] };
}

/** The batch is out of the load balancer: its hosts are swapped, and only they. */
function swapBatch(release: Release, run: RolloutRun, now: Instant): Draft {
  const next = moved(run, { ...run.rollout, phase: 'swapping', attempt: 0 }, now);
  const { commandId: _previous, ...swapping } = next;
  const instanceIds = currentBatch(next);
  const maxErrors = run.step.rateControl?.maxErrors ?? '0';
  const effect = commandEffect(run.step, batchStepIdOf(next), { instanceIds, maxErrors });
  const d = draft({ ...release, run: swapping }, { kind: 'batchDrained', ...place(next) }, 'progress');
  return { ...d, effects: [effect] };
}

/**
 * A host's own report can come before the command's id is known, and is then not heard: the command's status
 * speaks for the hosts that did not report (Success means every host succeeded).
 */
function withUnreportedHosts(run: RolloutRun, status: CommandOutcome): RolloutRun {
  const unheard = currentBatch(run).filter((host) => run.hosts[host] === undefined);
  if (unheard.length === 0) return run;
  const assumed: CommandOutcome = status === 'success' ? 'success' : 'failed';
  return { ...run, hosts: { ...run.hosts, ...Object.fromEntries(unheard.map((host) => [host, assumed])) } };
}

/** The batch's hosts that swapped well: the ones put back into the load balancer. */
function admitting(run: RolloutRun): string[] {
  return currentBatch(run).filter((host) => run.hosts[host] === 'success');
}

/**
 * The batch's command ended. Past maxErrors (counted over the whole fleet, so a share is of every host) the
 * release rolls back; otherwise the hosts that swapped go back in, and those that failed stay out.
 */
export function onBatchFinished(
  release: Release,
  reported: RolloutRun,
  status: CommandOutcome,
  now: Instant,
): Draft | null {
  if (reported.rollout.phase !== 'swapping') return null;
  const run = withUnreportedHosts(reported, status);
  const { rollout } = run;
  // Hosts whose own report has not come (yet): the command's failure stands for theirs.
  const unheard = currentBatch(run).filter(
    (host) => reported.hosts[host] === undefined && run.hosts[host] !== 'success',
  );
  const done = rollout.batches.slice(0, rollout.batch + 1).flat();
  const failed = done.filter((host) => run.hosts[host] !== 'success');
  const budget = errorBudget(run.step.rateControl?.maxErrors ?? '0', rollout.batches.flat().length);
  const { operation } = run.step;
  const member = run.step.member === undefined ? {} : { member: run.step.member };
  if (failed.length > budget) {
    const hostId = failed[failed.length - 1] as string;
    const hostStatus = run.hosts[hostId] === 'timedOut' ? 'timedOut' : 'failed';
    const note = (leadsTo: Consequence) =>
      ({ kind: 'commandResult', operation, ...member, status: hostStatus, leadsTo }) as const;
    if (release.state === 'rollingBack') {
      return failRollback(draft(release, note('rollbackStepFailed')), { hostId, status: hostStatus });
    }
    const { run: _ended, ...ended } = release;
    const reason = { kind: 'hostOperationFailed', operation, hostId, status: hostStatus } as const;
    return startRollback(draft(ended, note('rollingBack')), reason, now);
  }
  const tolerated = withFailures(release, run, unheard);
  const back = admitting(run);
  const leftOut = currentBatch(run).filter((host) => !back.includes(host));
  if (back.length === 0) return nextBatch(tolerated, run, now);
  const next = moved(run, { ...rollout, phase: 'admitting', attempt: 0 }, now);
  const note: Notice = { kind: 'batchAdmitting', ...place(next), hostIds: back, leftOut };
  const d = draft(withRun(tolerated, next), note, leftOut.length > 0 ? 'warning' : 'progress');
  return { ...d, effects: [gateEffect(next, 'admit', back)] };
}

/** The release naming `hostIds` among its failed hosts, as a host's own failed report would have. */
function withFailures(release: Release, run: RolloutRun, hostIds: readonly string[]): Release {
  if (hostIds.length === 0) return release;
  const { operation } = run.step;
  const commandId = run.commandId === undefined ? {} : { commandId: run.commandId };
  const failures = hostIds.map((hostId) => ({ operation, hostId, status: 'failed' as const, ...commandId }));
  return { ...release, hostFailures: [...(release.hostFailures ?? []), ...failures] };
}

function batchAdmitted(release: Release, run: RolloutRun, now: Instant): Draft {
  const back = new Set(admitting(run));
  const outOfService = (release.outOfService ?? []).filter((host) => !back.has(host));
  return nextBatch({ ...release, outOfService }, run, now);
}

/** On to the next batch, or, after the last, the step is done (with a warning naming the hosts left out). */
function nextBatch(release: Release, run: RolloutRun, now: Instant): Draft {
  if (run.rollout.batch + 1 < run.rollout.batches.length) {
    return startBatch(release, run, run.rollout.batch + 1, now);
  }
  const note: Notice = { kind: 'batchAdmitted', ...place(run) };
  const out = release.outOfService ?? [];
  if (out.length === 0) return completeStep(draft(release, note), now);
  const them = out.length === 1 ? 'it' : 'them';
  const warning = `${run.step.operation} left ${out.join(', ')} out of the load balancer (within maxErrors): fix or replace ${them}, then register ${them} again.`;
  const warned = { ...release, warnings: [...release.warnings, warning] };
  return { ...completeStep(draft(warned, note, 'warning'), now), severity: 'warning' };
}

import { commandEffect } from './commands';
import type { Notice } from './notice';
import { batchesOf, currentBatch, gateEffect, phaseDeadline, type RolloutRun } from './rollout-batches';
import type { GateReport, Rollout } from './rollout-types';
import { type Draft, draft, HOST_OPERATION_MARGIN_SECONDS, startRollback } from './steps';
import { addSeconds } from './time';
import type { Instant, Release } from './types';

/*
 * The start of a drained rollout (rollout.ts): the batches planned from the target groups' report, and each batch
 * taken out of the load balancer before its hosts are touched, or the operation run undrained when it cannot be.
 */

/** The run moved to `rollout`, with the new phase's deadline. */
export function moved(run: RolloutRun, rollout: Rollout, now: Instant): RolloutRun {
  const next: RolloutRun = { ...run, rollout };
  return { ...next, deadlineAt: phaseDeadline(next, now, HOST_OPERATION_MARGIN_SECONDS) };
}

export function place(run: RolloutRun) {
  return { operation: run.step.operation, batch: run.rollout.batch + 1, batches: run.rollout.batches.length };
}

/**
 * The batches, from every host registered in the target groups and every host an earlier swap of this release
 * left out. With none, the operation runs on the fleet's tags as an undrained step would.
 */
export function planBatches(release: Release, run: RolloutRun, report: GateReport, now: Instant): Draft {
  const out = release.outOfService ?? [];
  const hosts = [...report.instanceIds, ...out];
  if (hosts.length === 0) {
    return undrained(
      draft(release, { kind: 'rolloutWithoutTargets', operation: run.step.operation }),
      run,
      now,
    );
  }
  const batches = batchesOf(hosts, run.step.drain.batchSize, out);
  return startBatch(release, { ...run, rollout: { ...run.rollout, batches } }, 0, now);
}

/** The operation on every host the fleet's tags select, at once, as a step without target groups runs. */
export function undrained(d: Draft, run: RolloutRun, now: Instant): Draft {
  const { rollout: _none, ...plain } = run;
  const deadlineAt = addSeconds(now, run.step.timeoutSeconds + HOST_OPERATION_MARGIN_SECONDS);
  const release = { ...d.release, run: { ...plain, deadlineAt } };
  return { ...d, release, effects: [...d.effects, commandEffect(run.step, run.stepId)] };
}

/**
 * Takes batch `index` out of every target group. Its hosts are listed as out before anything is sent: the
 * deregistration may happen even if no report ever comes back.
 */
export function startBatch(release: Release, run: RolloutRun, index: number, now: Instant): Draft {
  const next = moved(run, { batches: run.rollout.batches, batch: index, phase: 'draining', attempt: 0 }, now);
  const batch = currentBatch(next);
  const outOfService = [...new Set([...(release.outOfService ?? []), ...batch])];
  const out = (release.outOfService ?? []).filter((host) => !batch.includes(host));
  const serving = next.rollout.batches.flat().filter((host) => !outOfService.includes(host));
  // Earlier batches' failures (within maxErrors) are out: draining the rest would leave users no host at all.
  if (serving.length === 0 && out.length > 0 && release.state !== 'rollingBack') {
    return lastHostsServing(release, next, batch, out, now);
  }
  const note: Notice = { kind: 'batchDraining', ...place(next), hostIds: batch };
  const d = draft({ ...release, run: next, outOfService }, note, 'progress');
  return { ...d, effects: [gateEffect(next, 'drain', batch)] };
}

/** A promotion that can only go on by leaving the load balancer empty stops there, and is undone. */
function lastHostsServing(
  release: Release,
  run: RolloutRun,
  batch: readonly string[],
  out: readonly string[],
  now: Instant,
): Draft {
  const { operation } = run.step;
  const note: Notice = {
    kind: 'lastHostsServing',
    ...place(run),
    hostIds: batch,
    out,
    leadsTo: 'rollingBack',
  };
  const reason = {
    kind: 'hostOperationFailed',
    operation,
    hostId: out[out.length - 1],
    status: 'failed',
    output: `${out.join(', ')} failed and ${out.length === 1 ? 'is' : 'are'} out of the load balancer; swapping ${batch.join(', ')} would leave it no host`,
  } as const;
  const { run: _stopped, ...stopped } = release;
  return startRollback(draft(stopped, note, 'critical'), reason, now);
}

import { bindCanaryStack, readStackOutputs } from './canary-stack';
import type { CanaryStackNotice } from './canary-stack-notice';
import type { Consequence } from './notice';
import { rollbackSteps } from './plan';
import { completeStep, type Draft, draft, enterStep, runRollbackStep, startRollback } from './steps';
import type { CanaryStackRun, Instant, Release, ReleaseEvent } from './types';

/*
 * How CloudFormation's word on the release's temporary canary stack moves it. Each returns null for a report
 * about anything but the running create or delete of this very stack, so a late or repeated report is harmless.
 */

type StackEvent<K extends ReleaseEvent['kind']> = Extract<ReleaseEvent, { kind: K }>;

function runningStack(
  release: Release,
  stackName: string,
  action: 'create' | 'delete',
): CanaryStackRun | null {
  const run = release.run;
  if (release.state === 'rollbackFailed' || run?.kind !== 'canaryStack') return null;
  return run.step.stackName === stackName && run.step.action === action ? run : null;
}

/** Created: its outputs take the placeholders' places in the plan, and the release goes on (or rolls back). */
export function onCanaryStackCreated(
  release: Release,
  event: StackEvent<'canaryStackCreated'>,
  now: Instant,
): Draft | null {
  const run = runningStack(release, event.stackName, 'create');
  if (run === null) return null;
  const read = readStackOutputs(event.outputs);
  if (!read.ok) return createFailed(release, run, `it was created, but ${read.reason}`, now);
  const bound = bindCanaryStack(release, { stackName: event.stackName, ...read.outputs });
  const note: CanaryStackNotice = {
    kind: 'canaryStackCreated',
    stackName: event.stackName,
    host: read.outputs.host,
    alarmNames: read.outputs.alarmNames,
  };
  // A rollback waited for CloudFormation: the stack it started now exists, and the rollback deletes it.
  if (run.cancelRequested) return runRollbackStep(draft(bound, note, 'critical'), now);
  return completeStep(draft(bound, note), now);
}

export function onCanaryStackCreateFailed(
  release: Release,
  event: StackEvent<'canaryStackCreateFailed'>,
  now: Instant,
): Draft | null {
  const run = runningStack(release, event.stackName, 'create');
  return run === null ? null : createFailed(release, run, event.reason, now);
}

/**
 * The stack did not come up. What CloudFormation left (a rolled-back stack) is still there, so the exposure stays
 * and the rollback deletes it; nothing else ran yet, so nothing else is undone.
 */
function createFailed(release: Release, run: CanaryStackRun, reason: string, now: Instant): Draft {
  const note = (leadsTo: Consequence): CanaryStackNotice => ({
    kind: 'canaryStackCreateFailed',
    stackName: run.step.stackName,
    reason,
    leadsTo,
  });
  if (run.cancelRequested && release.rollback) {
    return runRollbackStep(draft(release, note('rollingBack'), 'critical'), now);
  }
  const { run: _failed, ...ended } = release;
  return startRollback(draft(ended, note('rollingBack')), { kind: 'canaryStackFailed', reason }, now);
}

export function onCanaryStackDeleted(
  release: Release,
  event: StackEvent<'canaryStackDeleted'>,
  now: Instant,
): Draft | null {
  const run = runningStack(release, event.stackName, 'delete');
  if (run === null) return null;
  const note: CanaryStackNotice = { kind: 'canaryStackDeleted', stackName: event.stackName };
  if (run.cancelRequested && release.rollback) {
    // A person rolled back during the clean-up: the rollback was planned with the stack still there.
    const exposure = release.exposure.filter((e) => e !== 'canaryStackCreated');
    const rollback = { ...release.rollback, steps: rollbackSteps(release.undo, exposure) };
    return runRollbackStep(draft({ ...release, exposure, rollback }, note, 'critical'), now);
  }
  return completeStep(draft(release, note), now);
}

/**
 * A stack that cannot be deleted serves nobody (the stable fleet no longer sends it anything), so the release
 * does not stop on it: it goes on, and its card says what is left to delete by hand.
 */
export function onCanaryStackDeleteFailed(
  release: Release,
  event: Pick<StackEvent<'canaryStackDeleteFailed'>, 'stackName' | 'reason'>,
  now: Instant,
): Draft | null {
  const run = runningStack(release, event.stackName, 'delete');
  if (run === null) return null;
  const { stackName, reason } = event;
  const warning = `The canary stack ${stackName} could not be deleted (${reason}): delete it in CloudFormation by hand.`;
  // Nothing the release does later can delete it: the warning, not the exposure, carries it from here.
  const warned: Release = {
    ...release,
    exposure: release.exposure.filter((e) => e !== 'canaryStackCreated'),
    warnings: [...release.warnings, warning],
  };
  const d = draft(warned, { kind: 'canaryStackDeleteFailed', stackName, reason }, 'warning');
  const rollback = warned.rollback;
  if (run.cancelRequested && rollback) {
    // Tried once already: the rollback does not try again.
    const steps = rollbackSteps(warned.undo, warned.exposure);
    return runRollbackStep({ ...d, release: { ...warned, rollback: { ...rollback, steps } } }, now);
  }
  if (run.origin === 'rollback' && rollback) {
    return runRollbackStep(
      { ...d, release: { ...warned, rollback: { ...rollback, cursor: rollback.cursor + 1 } } },
      now,
    );
  }
  return enterStep(d, warned.cursor + 1, now);
}

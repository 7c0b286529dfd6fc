import { rollbackSteps } from './plan';
import { completeStep, type Draft, draft, failRollback, runRollbackStep, startRollback } from './steps';
import type { Instant, ListenerSwitchRun, Release } from './types';

/*
 * How a load balancer's answer moves a blue/green release: the listener was switched, or the switch was refused.
 * Each returns null for a report about anything but the running switch, so a late or repeated report is harmless.
 */

function runningSwitch(release: Release, stepId: string): ListenerSwitchRun | null {
  const run = release.run;
  if (release.state === 'rollbackFailed' || run?.kind !== 'switchListener' || run.stepId !== stepId)
    return null;
  return run;
}

export function onListenerSwitched(release: Release, stepId: string, now: Instant): Draft | null {
  const run = runningSwitch(release, stepId);
  if (run === null) return null;
  if (run.cancelRequested) {
    return runRollbackStep(draft(release, 'The listener switched; switching it back.', 'critical'), now);
  }
  const note =
    run.step.direction === 'forward'
      ? `The listener now forwards to ${colourNote(release, 'to')}.`
      : `The listener forwards to ${colourNote(release, 'from')} again.`;
  return completeStep(draft(release, note), now);
}

export function onListenerSwitchFailed(
  release: Release,
  stepId: string,
  reason: string,
  now: Instant,
): Draft | null {
  const run = runningSwitch(release, stepId);
  if (run === null) return null;
  const what = `The listener switch was refused: ${reason}`;
  if (run.step.direction === 'back') {
    return { ...failRollback(draft(release, what), { status: 'failed', output: reason }), detail: reason };
  }
  // A refused switch did not move the listener: there is nothing to switch back, and nothing left to wait for.
  const exposure = release.exposure.filter((e) => e !== 'listenerSwitched');
  const { run: _refused, ...rest } = release;
  const unmoved: Release = { ...rest, exposure };
  if (run.cancelRequested && release.rollback) {
    // The rollback waited for this switch and has not run a step yet: plan it again without the switch back.
    const rollback = { ...release.rollback, steps: rollbackSteps(release.undo, exposure) };
    return runRollbackStep(draft({ ...unmoved, rollback }, `${what}; rolling back.`, 'critical'), now);
  }
  return {
    ...startRollback(draft(unmoved, `${what}; rolling back.`), { kind: 'listenerSwitchFailed', reason }, now),
    detail: reason,
  };
}

/** `green (1.4.2)`: the colour and the version it runs. */
function colourNote(release: Release, side: 'from' | 'to'): string {
  const strategy = release.strategy;
  const version = side === 'to' ? release.toVersion : release.fromVersion;
  return strategy.kind === 'blueGreen' ? `${strategy[side]} (${version})` : version;
}

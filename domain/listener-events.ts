import type { Consequence, Notice } from './notice';
import { rollbackSteps } from './plan';
import { completeStep, type Draft, draft, failRollback, runRollbackStep, startRollback } from './steps';
import { colourSwitch } from './strategy';
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
    return runRollbackStep(draft(release, { kind: 'listenerSwitchUndone' }, 'critical'), now);
  }
  return completeStep(draft(release, switchedNote(release, run.step.direction)), now);
}

export function onListenerSwitchFailed(
  release: Release,
  stepId: string,
  reason: string,
  now: Instant,
): Draft | null {
  const run = runningSwitch(release, stepId);
  if (run === null) return null;
  const refused = (leadsTo: Consequence) => ({ kind: 'listenerSwitchRefused', reason, leadsTo }) as const;
  if (run.step.direction === 'back') {
    return failRollback(draft(release, refused('none')), { status: 'failed', output: reason });
  }
  // A refused switch did not move the listener: there is nothing to switch back, and nothing left to wait for.
  const exposure = release.exposure.filter((e) => e !== 'listenerSwitched');
  const { run: _refused, ...rest } = release;
  const unmoved: Release = { ...rest, exposure };
  if (run.cancelRequested && release.rollback) {
    // The rollback waited for this switch and has not run a step yet: plan it again without the switch back.
    const rollback = { ...release.rollback, steps: rollbackSteps(release.undo, exposure) };
    return runRollbackStep(draft({ ...unmoved, rollback }, refused('rollingBack'), 'critical'), now);
  }
  return startRollback(draft(unmoved, refused('rollingBack')), { kind: 'listenerSwitchFailed', reason }, now);
}

/** Where the listener forwards now: the colour (blue/green) and the version it runs. */
function switchedNote(release: Release, direction: 'forward' | 'back'): Notice {
  const colours = colourSwitch(release.strategy);
  const side = direction === 'forward' ? 'to' : 'from';
  const version = direction === 'forward' ? release.toVersion : release.fromVersion;
  const colour = colours ? { colour: colours[side] } : {};
  return { kind: 'listenerSwitched', direction, version, ...colour };
}

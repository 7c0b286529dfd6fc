import { checkAlarms } from './alarm-events';
import {
  completeStep,
  type Draft,
  describeRun,
  draft,
  enterStep,
  failRollback,
  hostOperationRunOf,
  runRollbackStep,
  startRollback,
  VALIDATION_MARGIN_SECONDS,
} from './steps';
import { addSeconds, isAtOrAfter } from './time';
import type { CommandOutcome, Instant, Release, ReleaseEvent } from './types';

/*
 * How SSM's reports move a release: a command id recorded, one host finished, the whole command finished, or
 * nothing heard before the step's deadline. Each returns null for a report about anything but the running step.
 */

export function onDispatched(release: Release, stepId: string, commandId: string): Draft | null {
  const run = hostOperationRunOf(release);
  if (run === undefined || run.stepId !== stepId || run.commandId !== undefined) return null;
  const d = draft(
    { ...release, run: { ...run, commandId } },
    `${run.step.operation} sent (command ${commandId}).`,
    'progress',
  );
  if (!run.cancelRequested) return d;
  return { ...d, effects: [{ kind: 'cancelHostOperation', stepId, commandId }] };
}

export function onHostFinished(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'hostCommandFinished' }>,
  now: Instant,
): Draft | null {
  const run = hostOperationRunOf(release);
  if (release.state === 'rollbackFailed' || run?.commandId !== event.commandId) return null;
  const previous = run.hosts[event.hostId];
  if (previous !== undefined && previous !== 'pending') return null;
  const recorded: Release = {
    ...release,
    run: { ...run, hosts: { ...run.hosts, [event.hostId]: event.status } },
  };
  const { operation } = run.step;
  const what = `${operation} on ${event.hostId}: ${event.status}`;
  if (event.status === 'success') return draft(recorded, what, 'progress');
  const detail = event.output ? `${what}\n${event.output}` : what;
  const failure = { hostId: event.hostId, status: event.status, output: event.output };
  if (run.cancelRequested) return { ...draft(recorded, what, 'warning'), detail };
  if (release.state === 'rollingBack')
    return { ...failRollback(draft(recorded, `Rollback step failed: ${what}`), failure), detail };
  if (run.step.onFailure === 'warn') return { ...draft(recorded, what, 'warning'), detail };
  const reason = { kind: 'hostOperationFailed', operation, ...failure } as const;
  return { ...startRollback(draft(recorded, `${what}; rolling back.`), reason, now), detail };
}

export function onCommandFinished(
  release: Release,
  commandId: string,
  status: CommandOutcome,
  now: Instant,
): Draft | null {
  const run = hostOperationRunOf(release);
  if (release.state === 'rollbackFailed' || run?.commandId !== commandId) return null;
  const { operation } = run.step;
  const what = `${operation} ${status === 'success' ? 'finished' : `ended: ${status}`}`;
  if (run.cancelRequested) return runRollbackStep(draft(release, `${what}; rolling back.`, 'critical'), now);
  if (status === 'success') return completeStep(draft(release, `${what}.`), now);
  if (release.state === 'rollingBack')
    return failRollback(draft(release, `Rollback step failed: ${what}.`), { status });
  if (run.step.onFailure === 'warn') {
    const warned: Release = { ...release, warnings: [...release.warnings, `${what}; clean it up by hand.`] };
    return {
      ...enterStep(draft(warned, `${what}.`, 'warning'), release.cursor + 1, now),
      severity: 'warning',
    };
  }
  const reason = { kind: 'hostOperationFailed', operation, status } as const;
  return startRollback(draft(release, `${what}; rolling back.`), reason, now);
}

export function onDeadline(release: Release, stepId: string, now: Instant): Draft | null {
  const run = release.run;
  if (release.state === 'rollbackFailed' || run?.stepId !== stepId || !isAtOrAfter(now, run.deadlineAt))
    return null;
  if ((run.kind === 'hostOperation' || run.kind === 'switchListener') && run.cancelRequested) {
    return runRollbackStep(
      draft(release, `${describeRun(run)} did not report back in time; rolling back anyway.`),
      now,
    );
  }
  if (release.state === 'rollingBack') {
    return failRollback(draft(release, `Rollback step ${describeRun(run)} did not finish in time.`), {
      status: 'timedOut',
    });
  }
  if (run.kind === 'validate' && run.checkId === undefined) {
    // The window's timer was lost: check now, and give the check its own deadline.
    return checkAlarms(release, addSeconds(now, VALIDATION_MARGIN_SECONDS));
  }
  const reason = { kind: 'deadlineExceeded', state: release.state } as const;
  return startRollback(draft(release, `No progress in ${release.state} before its deadline.`), reason, now);
}

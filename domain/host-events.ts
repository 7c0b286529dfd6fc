import { checkAlarms } from './alarm-events';
import { onCanaryStackDeleteFailed } from './canary-stack-events';
import { countsAsError, failedHosts, mayTolerate, withinErrorBudget } from './error-budget';
import type { Consequence, Notice } from './notice';
import { onBatchFinished } from './rollout';
import { batchStepIdOf, isRolloutRun } from './rollout-batches';
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
import type { CommandOutcome, HostFailure, HostOperationRun, Instant, Release, ReleaseEvent } from './types';
import { capitalised, commandOutcome, operationWords } from './words';

/*
 * How SSM's reports move a release: a command id recorded, one host finished, the whole command finished, or
 * nothing heard before the step's deadline. Each returns null for a report about anything but the running step.
 */

export function onDispatched(release: Release, stepId: string, commandId: string): Draft | null {
  const run = hostOperationRunOf(release);
  const expected = isRolloutRun(run) ? batchStepIdOf(run) : run?.stepId;
  if (run === undefined || expected !== stepId || run.commandId !== undefined) return null;
  const note = {
    kind: 'commandSent',
    operation: run.step.operation,
    ...memberField(run),
    commandId,
  } as const;
  const d = draft({ ...release, run: { ...run, commandId } }, note, 'progress');
  if (!run.cancelRequested) return d;
  return { ...d, effects: [{ kind: 'cancelHostOperation', stepId, commandId }] };
}

export function onHostFinished(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'hostCommandFinished' }>,
  now: Instant,
): Draft | null {
  const run = hostOperationRunOf(release);
  if (release.state === 'rollbackFailed') return null;
  if (run?.commandId !== event.commandId) return lateFailureOutput(release, event);
  const previous = run.hosts[event.hostId];
  if (previous !== undefined && previous !== 'pending') return null;
  const recorded: Release = {
    ...release,
    run: { ...run, hosts: { ...run.hosts, [event.hostId]: event.status } },
  };
  const { operation } = run.step;
  const { hostId, status, output } = event;
  const note = (leadsTo: Consequence): Notice => ({
    kind: 'hostResult',
    operation,
    ...memberField(run),
    hostId,
    status,
    ...(output ? { output } : {}),
    leadsTo,
  });
  if (status === 'success') return draft(recorded, note('none'), 'progress');
  const failure = { hostId, status, output };
  if (run.cancelRequested) return draft(recorded, note('none'), 'warning');
  if (release.state === 'rollingBack')
    return failRollback(draft(recorded, note('rollbackStepFailed')), failure);
  if (run.step.onFailure === 'warn') return draft(recorded, note('none'), 'warning');
  if (countsAsError(status) && recorded.run?.kind === 'hostOperation' && mayTolerate(recorded.run)) {
    // Within the promotion's maxErrors (so far): the host is named on the card, and the fleet goes on.
    const hostFailure = {
      operation,
      hostId,
      status,
      commandId: event.commandId,
      ...(output ? { output } : {}),
    };
    const hostFailures = [...(release.hostFailures ?? []), hostFailure];
    return draft({ ...recorded, hostFailures }, note('none'), 'warning');
  }
  const reason = { kind: 'hostOperationFailed', operation, ...failure } as const;
  return startRollback(draft(recorded, note('rollingBack')), reason, now);
}

/**
 * A host's failure report that came after its command had ended (events arrive in any order), whose failure the
 * command's status already stood for: it only adds what the host printed to the failure the card names.
 */
function lateFailureOutput(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'hostCommandFinished' }>,
): Draft | null {
  const { commandId, hostId, status, output } = event;
  if (status === 'success' || output === undefined) return null;
  const failures = release.hostFailures ?? [];
  const named = (f: HostFailure) =>
    f.commandId === commandId && f.hostId === hostId && f.output === undefined;
  const failure = failures.find(named);
  // The command's failure may have started the rollback before this host's report: its reason names the host.
  const reason = release.rollback?.reason;
  const rollbackNamesIt =
    reason?.kind === 'hostOperationFailed' && reason.hostId === hostId && reason.output === undefined;
  const operation = failure?.operation ?? (rollbackNamesIt ? reason.operation : undefined);
  if (operation === undefined) return null;
  const hostFailures = failures.map((f) => (f === failure ? { ...f, output } : f));
  const rollback =
    release.rollback && rollbackNamesIt
      ? { ...release.rollback, reason: { ...release.rollback.reason, output } }
      : release.rollback;
  const note: Notice = {
    kind: 'hostResult',
    operation,
    hostId,
    status,
    output,
    leadsTo: 'none',
  };
  return draft({ ...release, hostFailures, ...(rollback ? { rollback } : {}) }, note, 'warning');
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
  const note = (leadsTo: Consequence): Notice => ({
    kind: 'commandResult',
    operation,
    ...memberField(run),
    status,
    leadsTo,
  });
  if (run.cancelRequested) return runRollbackStep(draft(release, note('rollingBack'), 'critical'), now);
  if (release.state === 'rollingBack' && status !== 'success')
    return failRollback(draft(release, note('rollbackStepFailed')), { status });
  if (isRolloutRun(run)) return onBatchFinished(release, run, status, now);
  const failed = run.origin === 'plan' ? failedHosts(run) : [];
  if (failed.length > 0 && (status === 'success' || withinErrorBudget(run))) {
    const maxErrors = run.step.rateControl?.maxErrors ?? '0';
    const tolerated = {
      kind: 'failedHostsTolerated',
      operation,
      ...memberField(run),
      hostIds: failed,
      maxErrors,
    } as const;
    const d = draft(withFailedHostsWarning(release, run), tolerated, 'warning');
    return { ...completeStep(d, now), severity: 'warning' };
  }
  if (status === 'success') return completeStep(draft(release, note('none')), now);
  if (run.step.onFailure === 'warn') {
    const what = commandOutcome({ operation, status }, run.step.member);
    const warned: Release = { ...release, warnings: [...release.warnings, `${what}; clean it up by hand.`] };
    return {
      ...enterStep(draft(warned, note('none'), 'warning'), release.cursor + 1, now),
      severity: 'warning',
    };
  }
  const reason = { kind: 'hostOperationFailed', operation, status } as const;
  // The command is over on every host: nothing is left to cancel or wait for, so the undo starts at once.
  const { run: _ended, ...ended } = release;
  return startRollback(draft(ended, note('rollingBack')), reason, now);
}

export function onDeadline(release: Release, stepId: string, now: Instant): Draft | null {
  const run = release.run;
  if (release.state === 'rollbackFailed' || run?.stepId !== stepId || !isAtOrAfter(now, run.deadlineAt))
    return null;
  // A stack CloudFormation did not report deleted is left for a person, as a failed deletion is.
  if (run.kind === 'canaryStack' && run.step.action === 'delete') {
    const reason = 'CloudFormation did not report it deleted in time';
    return onCanaryStackDeleteFailed(release, { stackName: run.step.stackName, reason }, now);
  }
  if (
    (run.kind === 'hostOperation' || run.kind === 'switchListener' || run.kind === 'canaryStack') &&
    run.cancelRequested
  ) {
    return runRollbackStep(
      draft(release, { kind: 'stepTimedOut', step: describeRun(run), leadsTo: 'rollingBack' }),
      now,
    );
  }
  if (release.state === 'rollingBack') {
    const note = { kind: 'stepTimedOut', step: describeRun(run), leadsTo: 'rollbackStepFailed' } as const;
    return failRollback(draft(release, note), { status: 'timedOut' });
  }
  if (run.kind === 'validate' && run.checkId === undefined) {
    // The window's timer was lost: check now, and give the check its own deadline.
    return checkAlarms(release, addSeconds(now, VALIDATION_MARGIN_SECONDS));
  }
  const reason = { kind: 'deadlineExceeded', state: release.state } as const;
  return startRollback(draft(release, { kind: 'deadlineExceeded', state: release.state }), reason, now);
}

/** A step that ends with hosts left behind within its maxErrors says which, and what they may still run. */
function withFailedHostsWarning(release: Release, run: HostOperationRun): Release {
  const failed = failedHosts(run);
  const reported = Object.values(run.hosts).filter((status) => status !== 'pending').length;
  const { operation, fleet, rateControl, parameters, member } = run.step;
  const previous = parameters.PreviousVersion
    ? ` may still run ${parameters.PreviousVersion}`
    : ' may be behind';
  const shown =
    failed.length > 5 ? `${failed.slice(0, 5).join(', ')} and ${failed.length - 5} more` : failed.join(', ');
  const what = capitalised(operationWords(operation, fleet, member));
  const warning = `${what} failed on ${failed.length} of ${reported} hosts (${shown}), within the ${rateControl?.maxErrors ?? '0'} allowed to fail: they${previous}. Fix or replace them; the card says why each failed.`;
  return { ...release, warnings: [...release.warnings, warning] };
}

/** The group member a run acts on, for its notices: a group runs each operation once per member. */
function memberField(run: HostOperationRun): { member?: string } {
  return run.step.member === undefined ? {} : { member: run.step.member };
}

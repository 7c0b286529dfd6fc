import { type Draft, draft, nextStepId, startRollback, VALIDATION_MARGIN_SECONDS } from './steps';
import { addSeconds } from './time';
import type { Instant, Release, ValidationRun } from './types';

/*
 * No data is never a pass. A window that ended without data (a watched alarm in INSUFFICIENT_DATA or not found, or
 * an analysis with too few canary requests) holds for a person, or runs once more and then rolls back.
 */

/** A window ended without data from `noData`: hold for a person, extend once, or roll back after the extension. */
export function onNoData(
  release: Release,
  run: ValidationRun,
  noData: readonly string[],
  now: Instant,
): Draft {
  if (release.policy.onNoData === 'extendThenRollback') {
    if (run.extended) {
      const reason = { kind: 'noData', alarms: noData } as const;
      return startRollback(draft(release, { kind: 'noDataAfterExtension', noData }), reason, now);
    }
    const timerId = `${run.stepId}.extended`;
    const windowEndsAt = addSeconds(now, run.step.windowSeconds);
    const extended: ValidationRun = {
      ...run,
      timerId,
      windowEndsAt,
      deadlineAt: addSeconds(windowEndsAt, VALIDATION_MARGIN_SECONDS),
      extended: true,
    };
    const { checkId: _read, analysis, ...again } = extended;
    // The extension's own intervals are not timed: its final analysis reads the whole window again.
    const restarted = analysis ? { analysis: { judged: analysis.judged, failing: analysis.failing } } : {};
    return {
      ...draft(
        { ...release, run: { ...again, ...restarted } },
        { kind: 'windowExtended', noData },
        'warning',
      ),
      effects: [{ kind: 'setTimer', timerId, at: windowEndsAt }],
    };
  }
  return holdForPerson(release, run, noData, now);
}

/** The window waits, as `inconclusive`, for a person: Roll back, or an approver's Promote after a confirm. */
export function holdForPerson(
  release: Release,
  run: ValidationRun,
  noData: readonly string[],
  now: Instant,
): Draft {
  const { stepId, stepCount } = nextStepId(release);
  const held: Release = {
    ...release,
    state: 'inconclusive',
    stepCount,
    run: {
      kind: 'inconclusive',
      stepId,
      origin: 'plan',
      step: run.step,
      noData,
      startedAt: now,
      deadlineAt: addSeconds(now, holdSeconds(release)),
    },
  };
  return draft(held, { kind: 'inconclusive', noData }, 'warning');
}

/** How long an inconclusive release waits for a person: as long as an approval would. */
function holdSeconds(release: Release): number {
  const approval = release.plan.find((step) => step.kind === 'approval');
  return approval?.kind === 'approval' ? approval.timeoutSeconds : DEFAULT_HOLD_SECONDS;
}

const DEFAULT_HOLD_SECONDS = 86_400;

import { isRollingBack } from './policies';
import { type Draft, draft, enterStep, nextStepId, startRollback, VALIDATION_MARGIN_SECONDS } from './steps';
import { addSeconds, isBefore } from './time';
import type { Effect, Instant, Release, ReleaseEvent, ValidationRun } from './types';

/* How alarm states move a release: a state change event, the check at the end of a validation window. */

export function onAlarmChanged(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'alarmChanged' }>,
  now: Instant,
): Draft | null {
  if (!release.policy.watchedAlarms.includes(event.alarmName)) return null;
  const exposed = release.trafficSince !== undefined && !isRollingBack(release.state);
  const known = release.alarms[event.alarmName];
  // An older observation arrived late: ignore it. The same state again is a duplicate, except an ALARM while
  // exposed: one recorded before the canary took traffic must still stop the release now.
  if (known !== undefined && isBefore(event.at, known.at)) return null;
  if (known?.state === event.state && !(event.state === 'ALARM' && exposed)) return null;
  const observed: Release = {
    ...release,
    alarms: {
      ...release.alarms,
      [event.alarmName]: { state: event.state, reason: event.reason, at: event.at },
    },
  };
  const note = `Alarm ${event.alarmName} is ${event.state}.`;
  if (event.state !== 'ALARM' || !exposed) return draft(observed, note, 'progress');
  const reason = { kind: 'alarm', alarmName: event.alarmName, reason: event.reason } as const;
  return { ...startRollback(draft(observed, `${note} Rolling back.`), reason, now), detail: event.reason };
}

/**
 * The watched alarms read at the end of a window. Each reading counts from when its state began (CloudWatch's
 * StateUpdatedTimestamp), so an ALARM event that arrived while the reading was on its way is not overwritten by
 * the older OK it carries. Any ALARM rolls back; every alarm OK passes; anything else is no data, never a pass.
 */
export function onAlarmsChecked(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'alarmsChecked' }>,
  now: Instant,
): Draft | null {
  const run = release.run;
  if (run?.kind !== 'validate' || run.checkId !== event.checkId) return null;
  const alarms = { ...release.alarms };
  for (const reading of event.alarms) {
    const at = reading.since ?? now;
    const known = alarms[reading.name];
    if (known === undefined || !isBefore(at, known.at))
      alarms[reading.name] = { state: reading.state, reason: reading.reason, at };
  }
  const checked: Release = { ...release, alarms };
  const firing = run.step.alarms.find((name) => alarms[name]?.state === 'ALARM');
  if (firing !== undefined) {
    const why = alarms[firing]?.reason ?? '';
    const reason = { kind: 'alarm', alarmName: firing, reason: why } as const;
    return { ...startRollback(draft(checked, `Alarm ${firing} is ALARM.`), reason, now), detail: why };
  }
  const noData = run.step.alarms.filter((name) => alarms[name]?.state !== 'OK');
  if (noData.length === 0) {
    return enterStep(
      draft(checked, 'Validation window passed with every watched alarm OK.'),
      release.cursor + 1,
      now,
    );
  }
  return onNoData(checked, run, noData, now);
}

/** A window ended without data from `noData`: hold for a person, extend once, or roll back after the extension. */
function onNoData(release: Release, run: ValidationRun, noData: readonly string[], now: Instant): Draft {
  const names = noData.join(', ');
  if (release.policy.onNoData === 'extendThenRollback') {
    if (run.extended) {
      const reason = { kind: 'noData', alarms: noData } as const;
      return startRollback(draft(release, `Still no data from ${names} after one extension.`), reason, now);
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
    const { checkId: _read, ...again } = extended;
    return {
      ...draft({ ...release, run: again }, `No data from ${names}: the window runs once more.`, 'warning'),
      effects: [{ kind: 'setTimer', timerId, at: windowEndsAt }],
    };
  }
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
  return draft(
    held,
    `Inconclusive: no data from ${names}. Roll back, or an approver may promote anyway.`,
    'warning',
  );
}

/** How long an inconclusive release waits for a person: as long as an approval would. */
function holdSeconds(release: Release): number {
  const approval = release.plan.find((step) => step.kind === 'approval');
  return approval?.kind === 'approval' ? approval.timeoutSeconds : DEFAULT_HOLD_SECONDS;
}

const DEFAULT_HOLD_SECONDS = 86_400;

export function checkAlarms(release: Release, deadlineAt?: Instant): Draft | null {
  const run = release.run;
  if (run?.kind !== 'validate' || run.checkId !== undefined) return null;
  const checkId = `${run.stepId}.check`;
  const checking: Release = {
    ...release,
    run: { ...run, checkId, deadlineAt: deadlineAt ?? run.deadlineAt },
  };
  const effect: Effect = { kind: 'checkAlarms', checkId, alarmNames: run.step.alarms };
  return { ...draft(checking, 'Validation window over; checking alarms.', 'progress'), effects: [effect] };
}

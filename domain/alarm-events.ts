import { isRollingBack } from './policies';
import { type Draft, draft, enterStep, startRollback } from './steps';
import { isBefore } from './time';
import type { Effect, Instant, Release, ReleaseEvent } from './types';

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

export function onAlarmsChecked(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'alarmsChecked' }>,
  now: Instant,
): Draft | null {
  if (release.state !== 'verifying' || release.run?.checkId !== event.checkId) return null;
  const alarms = { ...release.alarms };
  for (const alarm of event.alarms)
    alarms[alarm.name] = { state: alarm.state, reason: alarm.reason, at: now };
  const checked: Release = { ...release, alarms };
  const firing = event.alarms.find((alarm) => alarm.state === 'ALARM');
  if (firing === undefined) {
    return enterStep(
      draft(checked, 'Validation window passed with every watched alarm quiet.'),
      release.cursor + 1,
      now,
    );
  }
  const reason = { kind: 'alarm', alarmName: firing.name, reason: firing.reason } as const;
  return {
    ...startRollback(draft(checked, `Alarm ${firing.name} is ALARM.`), reason, now),
    detail: firing.reason,
  };
}

export function checkAlarms(release: Release, deadlineAt?: Instant): Draft | null {
  const run = release.run;
  const step = release.plan[release.cursor];
  if (run === undefined || step?.kind !== 'validate' || run.checkId !== undefined) return null;
  const checkId = `${run.stepId}.check`;
  const checking: Release = {
    ...release,
    run: { ...run, checkId, deadlineAt: deadlineAt ?? run.deadlineAt },
  };
  const effect: Effect = { kind: 'checkAlarms', checkId, alarmNames: step.alarms };
  return { ...draft(checking, 'Validation window over; checking alarms.', 'progress'), effects: [effect] };
}

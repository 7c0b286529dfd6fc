import { afterAlarmsPassed } from './analysis-events';
import { countPathEffect } from './group-steps';
import { onNoData } from './no-data';
import { isRollingBack } from './policies';
import { type Draft, draft, startRollback } from './steps';
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
  const { alarmName, state } = event;
  if (state !== 'ALARM' || !exposed)
    return draft(observed, { kind: 'alarmChanged', alarmName, state }, 'progress');
  const reason = { kind: 'alarm', alarmName, reason: event.reason } as const;
  return startRollback(draft(observed, { kind: 'alarmFired', alarmName, reason: event.reason }), reason, now);
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
    return startRollback(draft(checked, { kind: 'alarmFired', alarmName: firing, reason: why }), reason, now);
  }
  const noData = run.step.alarms.filter((name) => alarms[name]?.state !== 'OK');
  if (noData.length === 0) return afterAlarmsPassed(checked, now);
  return onNoData(checked, run, noData, now);
}

export function checkAlarms(release: Release, deadlineAt?: Instant): Draft | null {
  const run = release.run;
  if (run?.kind !== 'validate' || run.checkId !== undefined) return null;
  // An extended window is checked again under its own id, so its answer can never be taken for the first's.
  const checkId = `${run.stepId}.${run.extended ? 'recheck' : 'check'}`;
  const checking: Release = {
    ...release,
    run: { ...run, checkId, deadlineAt: deadlineAt ?? run.deadlineAt },
  };
  const effect: Effect = { kind: 'checkAlarms', checkId, alarmNames: run.step.alarms };
  const counts = run.step.state === 'verifying' ? countPathEffect(release, checkId, run.windowEndsAt) : [];
  return { ...draft(checking, { kind: 'checkingAlarms' }, 'progress'), effects: [effect, ...counts] };
}

import { transition } from '../../domain/release-machine';
import type { AlarmState, Release, ReleaseEvent, Transition } from '../../domain/types';
import { APPROVER, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { newRelease, T0 } from '../support/releases';

/** What the release-machine tests share: actors, and drivers that push a release through accepted events. */

export const approver = { kind: 'person', id: APPROVER } as const;
export const requester = { kind: 'person', id: REQUESTER } as const;

export function applied(t: Transition): Release {
  if (!t.ok) throw new Error(t.message);
  return t.release;
}

/** Drives a release through events that must all be accepted. */
export function drive(release: Release, ...events: ReleaseEvent[]): Release {
  return events.reduce((r, e) => applied(transition(r, e, T0)), release);
}

export function finishRun(release: Release, commandId: string): Release {
  const run = release.run;
  if (!run) throw new Error('nothing runs');
  return drive(
    release,
    { kind: 'hostOperationDispatched', stepId: run.stepId, commandId },
    { kind: 'commandFinished', commandId, status: 'success' },
  );
}

/** The window's own timer, delivered at the moment the window ends. */
export function elapseWindow(release: Release): Release {
  const run = release.run;
  if (run?.kind !== 'validate') throw new Error(`no validation window runs in ${release.state}`);
  return applied(transition(release, { kind: 'timerElapsed', timerId: run.timerId }, run.windowEndsAt));
}

export function awaitingApproval(config = serviceConfig()): Release {
  let r = newRelease({ config }).release;
  r = finishRun(r, 'c1');
  r = finishRun(r, 'c2');
  return checkWindow(r, 'OK');
}

/** Ends the window and answers its alarm check with every watched alarm in `state` (or per name). */
export function checkWindow(
  release: Release,
  state: AlarmState | ((name: string) => AlarmState),
  since?: string,
  at?: string,
): Release {
  const r = elapseWindow(release);
  const run = r.run;
  if (run?.kind !== 'validate' || run.checkId === undefined) throw new Error('no alarm check is out');
  const stateOf = typeof state === 'function' ? state : () => state;
  const alarms = run.step.alarms.map((name) => ({
    name,
    state: stateOf(name),
    reason: `${stateOf(name)} here`,
    since,
  }));
  return applied(
    transition(r, { kind: 'alarmsChecked', checkId: run.checkId, alarms }, at ?? run.windowEndsAt),
  );
}

import type { Consequence, NoticeMedium } from './notice';
import { consequence } from './notice';
import { isRollingBack } from './policies';
import { type Draft, draft, enterStep, startRollback } from './steps';
import type { Instant, Release, ReleaseEvent } from './types';

/** What the engine says about a hook (domain/hooks.ts). */
export type HookNotice =
  | { readonly kind: 'hookPassed'; readonly name: string }
  | {
      readonly kind: 'hookFailed';
      readonly name: string;
      readonly output: string;
      readonly leadsTo: Consequence;
    };

export function isHookNotice(notice: { readonly kind: string }): notice is HookNotice {
  return notice.kind === 'hookPassed' || notice.kind === 'hookFailed';
}

export function renderHookNotice(notice: HookNotice, m: NoticeMedium): string {
  return notice.kind === 'hookPassed'
    ? `The hook ${m.text(notice.name)} passed.`
    : consequence(`The hook ${m.text(notice.name)} failed`, notice.leadsTo);
}

/**
 * A hook's answer: the release goes on, or rolls back as on an alarm, with what the hook said in the thread. An
 * answer for any other step (late, repeated, or after a rollback began) changes nothing.
 */
export function onHookFinished(
  release: Release,
  event: Extract<ReleaseEvent, { kind: 'hookFinished' }>,
  now: Instant,
): Draft | null {
  const run = release.run;
  if (run?.kind !== 'hook' || run.stepId !== event.stepId || isRollingBack(release.state)) return null;
  const { name } = run.step;
  if (event.passed) return enterStep(draft(release, { kind: 'hookPassed', name }), release.cursor + 1, now);
  const { run: _answered, ...rest } = release;
  const output = event.output;
  const note: HookNotice = { kind: 'hookFailed', name, output, leadsTo: 'rollingBack' };
  return startRollback(draft(rest, note), { kind: 'hookFailed', name, output }, now);
}

/**
 * The agent's own events. They never travel on an event bus, where a CI pipeline allowed to `PutEvents` could
 * forge them: Scheduler invokes the `timer` function directly, and the Slack function invokes the `effects`
 * function directly (docs/security.md, "Who may cause what"). The handlers still check `source`, so a payload meant for one
 * function is refused by the other.
 */
import type { ListChange } from '../domain/routing-lists';

export const TIMER_EVENT_SOURCE = 'canary-agent.timers';
export const EFFECTS_SOURCE = 'canary-agent.effects';

/** What a one-time schedule hands the `timer` function (the schedule target's `Input`). */
export interface TimerElapsed {
  readonly source: typeof TIMER_EVENT_SOURCE;
  readonly releaseId: string;
  readonly timerId: string;
}

/** What the Slack function hands the `effects` function: a release whose outbox is waiting. */
export interface EffectsPending {
  readonly source: typeof EFFECTS_SOURCE;
  readonly releaseId: string;
}

export const timerElapsed = (releaseId: string, timerId: string): TimerElapsed => ({
  source: TIMER_EVENT_SOURCE,
  releaseId,
  timerId,
});

export const effectsPending = (releaseId: string): EffectsPending => ({ source: EFFECTS_SOURCE, releaseId });

/** What the Slack function hands the `effects` function to change a live routing list (domain/routing-lists.ts). */
export interface ListChangePending {
  readonly source: typeof EFFECTS_SOURCE;
  readonly listChange: ListChange;
}

export const listChangePending = (listChange: ListChange): ListChangePending => ({
  source: EFFECTS_SOURCE,
  listChange,
});

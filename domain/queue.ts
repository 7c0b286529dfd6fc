import { isAmong, type People } from './access';
import type { PendingEffect } from './ports';
import type { StrategyChoice } from './release-request';
import type { Actor, Instant } from './types';

/**
 * A start that waits for its service's running release to end. A service has at most one: a newer start replaces
 * it. It keeps the request as it was made (the options, not a plan), so that it goes through the whole start path,
 * with the configuration, freezes and alarms of the moment it starts.
 */
export interface QueuedStart {
  /** The id the release will have: reserved when queued, so that no start of this entry can make two releases. */
  readonly releaseId: string;
  readonly service: string;
  readonly toVersion: string;
  readonly requestedBy: Actor;
  readonly queuedAt: Instant;
  /** The release it waits for: the one that held the service when it was queued. Its card shows the queue. */
  readonly behind: string;
  /** The chat channel it was asked from: the service's channel rule applies again when it starts. */
  readonly channel?: string;
  readonly strategy?: StrategyChoice;
  readonly percent?: number;
  readonly windowSeconds?: number;
}

/** A start to queue, the effects that tell its service about it, and the delivery that asked for it. */
export interface QueueChange {
  readonly queued: QueuedStart;
  /** Saved in the same write (a notice on the card of the release it waits for). */
  readonly effects: readonly PendingEffect[];
  /** The delivery's id; a second change with the same id is refused as a duplicate (DuplicateEventError). */
  readonly eventId?: string;
}

/**
 * The services' queued starts, beside their locks; part of the release store. Every write is conditional:
 *
 *   queueStart(change, expected)   the start queued now must be `expected` (a releaseId, or null for none), and the
 *                                  lock must be free or held by `queued.behind`; else QueueChangedError or
 *                                  ServiceBusyError (naming the holder)
 *   dropQueuedStart(service, id)   removes that entry only, with its effects, if it is still the one queued
 *   create({ fromQueue: true })    removes the entry the release was reserved for in the write that takes the
 *                                  lock, or fails with QueueChangedError: a queued start makes one release only
 */
export interface StartQueue {
  queuedStart(service: string): Promise<QueuedStart | null>;
  /** Every service's queued start, for `/canary list` and the sweeper. */
  queuedStarts(): Promise<readonly QueuedStart[]>;
  queueStart(change: QueueChange, expected: string | null): Promise<void>;
  /** True when this call removed the entry (and saved `effects`); false when it was no longer queued. */
  dropQueuedStart(service: string, releaseId: string, effects: readonly PendingEffect[]): Promise<boolean>;
}

/**
 * Who may cancel a queued start: the person who queued it, and the service's approvers (`approvals`).
 *
 * @example
 * cancelRefusal(queued, { users: ['U0BEN'], groups: [] }, { kind: 'person', id: 'U0DAN' }) // 'not-authorized'
 */
export function cancelRefusal(queued: QueuedStart, approvers: People, actor: Actor): 'not-authorized' | null {
  if (actor.kind !== 'person') return 'not-authorized';
  if (queued.requestedBy.kind === 'person' && queued.requestedBy.id === actor.id) return null;
  return isAmong(approvers, actor) ? null : 'not-authorized';
}

import type { PendingEffect } from '../domain/ports';
import type { Effect, Instant, Release } from '../domain/types';

/** A change's effects as outbox items, saved in the same write as the change. */
export function outbox(release: Release, effects: readonly Effect[], now: Instant): PendingEffect[] {
  return effects.map((effect, index) => ({
    id: `${release.id}#${release.version}#${index}`,
    releaseId: release.id,
    effect,
    createdAt: now,
  }));
}

/** Oldest first; ids (`<release>#<version>#<index>`) compare numerically, so version 10 follows version 9. */
export function outboxOrder(a: PendingEffect, b: PendingEffect): number {
  return a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id, 'en', { numeric: true });
}

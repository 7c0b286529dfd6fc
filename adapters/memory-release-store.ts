import { EVERY_SERVICE, type Freeze } from '../domain/access';
import {
  DuplicateEventError,
  ServiceBusyError,
  ServiceFrozenError,
  VersionConflictError,
} from '../domain/errors';
import { holdsServiceLock } from '../domain/policies';
import type { DueDeadline, PendingEffect, ReleaseChange, ReleaseStore } from '../domain/ports';
import { hostOperationRunOf } from '../domain/steps';
import type { HistoryEntry, Instant, Release } from '../domain/types';

/**
 * A `ReleaseStore` in memory with the same conditional semantics as the DynamoDB one: each write checks
 * and applies atomically (no `await` between check and apply). For tests and the property model.
 */
export function memoryReleaseStore(): ReleaseStore & { readonly writes: () => number } {
  const releases = new Map<string, Release>();
  const history = new Map<string, HistoryEntry[]>();
  const locks = new Map<string, string>();
  const seenEvents = new Set<string>();
  const outbox = new Map<string, PendingEffect>();
  const commands = new Map<string, string>();
  const freezes = new Map<string, Freeze>();
  let writes = 0;
  const freezesOf = (service: string) =>
    [freezes.get(service), freezes.get(EVERY_SERVICE)].filter((f): f is Freeze => f !== undefined);

  function write(change: ReleaseChange): void {
    const { release } = change;
    releases.set(release.id, structuredClone(release));
    history.set(release.id, [...(history.get(release.id) ?? []), ...structuredClone(change.history)]);
    for (const effect of change.effects) outbox.set(effect.id, structuredClone(effect));
    if (change.eventId) seenEvents.add(change.eventId);
    const commandId = hostOperationRunOf(release)?.commandId;
    if (commandId) commands.set(commandId, release.id);
    if (!holdsServiceLock(release.state) && locks.get(release.service) === release.id)
      locks.delete(release.service);
    writes++;
  }

  return {
    writes: () => writes,
    async load(releaseId) {
      const found = releases.get(releaseId);
      return found ? structuredClone(found) : null;
    },
    async create(change) {
      const { release } = change;
      if (change.eventId && seenEvents.has(change.eventId)) throw new DuplicateEventError(change.eventId);
      if (freezesOf(release.service).length > 0) throw new ServiceFrozenError(release.service);
      const holder = locks.get(release.service);
      if (holder !== undefined) throw new ServiceBusyError(release.service, holder);
      if (releases.has(release.id))
        throw new VersionConflictError(release.id, 0, structuredClone(releases.get(release.id)));
      locks.set(release.service, release.id);
      write(change);
    },
    async save(change, expectedVersion) {
      if (change.eventId && seenEvents.has(change.eventId)) throw new DuplicateEventError(change.eventId);
      const stored = releases.get(change.release.id);
      if (stored?.version !== expectedVersion) {
        throw new VersionConflictError(change.release.id, expectedVersion, stored && structuredClone(stored));
      }
      write(change);
    },
    async freezes() {
      return [...freezes.values()].map((f) => structuredClone(f));
    },
    async freezesOf(service) {
      return structuredClone(freezesOf(service));
    },
    async freeze(freeze) {
      const existing = freezes.get(freeze.scope);
      if (existing) return structuredClone(existing);
      freezes.set(freeze.scope, structuredClone(freeze));
      return null;
    },
    async unfreeze(scope) {
      const existing = freezes.get(scope) ?? null;
      freezes.delete(scope);
      return existing;
    },
    async activeReleaseId(service) {
      return locks.get(service) ?? null;
    },
    async activeReleases() {
      return [...locks.values()].flatMap((id) => {
        const release = releases.get(id);
        return release ? [structuredClone(release)] : [];
      });
    },
    async recentReleases(service, limit) {
      return [...releases.values()]
        .filter((r) => r.service === service)
        .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
        .slice(0, limit)
        .map((r) => structuredClone(r));
    },
    async history(releaseId) {
      return structuredClone(history.get(releaseId) ?? []);
    },
    async releaseIdForCommand(commandId) {
      return commands.get(commandId) ?? null;
    },
    async pendingEffects(createdBefore: Instant) {
      return [...outbox.values()].filter((e) => e.createdAt <= createdBefore).map((e) => structuredClone(e));
    },
    async pendingEffectsOf(releaseId) {
      return [...outbox.values()].filter((e) => e.releaseId === releaseId).map((e) => structuredClone(e));
    },
    async completeEffects(effects) {
      for (const effect of effects) outbox.delete(effect.id);
    },
    async dueDeadlines(now) {
      const due: DueDeadline[] = [];
      for (const release of releases.values()) {
        const run = release.run;
        if (
          run &&
          holdsServiceLock(release.state) &&
          release.state !== 'rollbackFailed' &&
          run.deadlineAt <= now
        ) {
          due.push({ releaseId: release.id, stepId: run.stepId, deadlineAt: run.deadlineAt });
        }
      }
      return due;
    },
  };
}

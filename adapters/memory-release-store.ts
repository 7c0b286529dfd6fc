import { EVERY_SERVICE, type Freeze } from '../domain/access';
import {
  DuplicateEventError,
  QueueChangedError,
  ServiceBusyError,
  ServiceFrozenError,
  VersionConflictError,
} from '../domain/errors';
import { servicesOf } from '../domain/group';
import { holdsServiceLock } from '../domain/policies';
import type { DueDeadline, FreezeStore, PendingEffect, ReleaseChange, ReleaseStore } from '../domain/ports';
import type { QueueChange, QueuedStart, StartQueue } from '../domain/queue';
import { hostOperationRunOf } from '../domain/steps';
import type { HistoryEntry, Instant, Release } from '../domain/types';

/** What the store holds, as the table's items would. */
interface State {
  readonly releases: Map<string, Release>;
  readonly history: Map<string, HistoryEntry[]>;
  readonly locks: Map<string, string>;
  readonly seenEvents: Set<string>;
  readonly outbox: Map<string, PendingEffect>;
  readonly commands: Map<string, string>;
  readonly freezes: Map<string, Freeze>;
  /** Each service's queued start, by service. */
  readonly queue: Map<string, QueuedStart>;
  writes: number;
}

const copy = <T>(value: T): T => structuredClone(value);

/**
 * A `ReleaseStore` in memory with the same conditional semantics as the DynamoDB one: each write checks
 * and applies atomically (no `await` between check and apply). For tests and the property model.
 */
export function memoryReleaseStore(): ReleaseStore & { readonly writes: () => number } {
  const state: State = {
    releases: new Map(),
    history: new Map(),
    locks: new Map(),
    seenEvents: new Set(),
    outbox: new Map(),
    commands: new Map(),
    freezes: new Map(),
    queue: new Map(),
    writes: 0,
  };
  const { releases, history, locks, outbox, commands } = state;
  return {
    ...memoryFreezes(state.freezes),
    ...memoryQueue(state),
    writes: () => state.writes,
    load: async (releaseId) => copy(releases.get(releaseId) ?? null),
    create: async (change) => create(state, change),
    save: async (change, expectedVersion) => save(state, change, expectedVersion),
    activeReleaseId: async (service) => locks.get(service) ?? null,
    activeReleases: async () => [...new Set(locks.values())].flatMap((id) => copy(releases.get(id) ?? [])),
    recentReleases: async (service, limit) =>
      [...releases.values()]
        .filter((r) => r.service === service)
        .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
        .slice(0, limit)
        .map(copy),
    history: async (releaseId) => copy(history.get(releaseId) ?? []),
    releaseIdForCommand: async (commandId) => commands.get(commandId) ?? null,
    pendingEffects: async (createdBefore: Instant) =>
      [...outbox.values()].filter((e) => e.createdAt <= createdBefore).map(copy),
    pendingEffectsOf: async (releaseId) =>
      [...outbox.values()].filter((e) => e.releaseId === releaseId).map(copy),
    completeEffects: async (effects) => {
      for (const effect of effects) outbox.delete(effect.id);
    },
    dueDeadlines: async (now) => dueDeadlines(releases, now),
  };
}

function freezesOf(freezes: Map<string, Freeze>, service: string): Freeze[] {
  return [freezes.get(service), freezes.get(EVERY_SERVICE)].filter((f): f is Freeze => f !== undefined);
}

function memoryFreezes(freezes: Map<string, Freeze>): FreezeStore {
  return {
    freezes: async () => [...freezes.values()].map(copy),
    freezesOf: async (service) => copy(freezesOf(freezes, service)),
    async freeze(freeze) {
      const existing = freezes.get(freeze.scope);
      if (existing) return copy(existing);
      freezes.set(freeze.scope, copy(freeze));
      return null;
    },
    async unfreeze(scope) {
      const existing = freezes.get(scope) ?? null;
      freezes.delete(scope);
      return existing;
    },
  };
}

function create(state: State, change: ReleaseChange): void {
  const { release } = change;
  const services = servicesOf(release);
  if (change.eventId && state.seenEvents.has(change.eventId)) throw new DuplicateEventError(change.eventId);
  for (const service of services)
    if (freezesOf(state.freezes, service).length > 0) throw new ServiceFrozenError(service);
  const queued = state.queue.get(release.service);
  if (change.fromQueue && queued?.releaseId !== release.id) throw new QueueChangedError(release.service);
  for (const service of services) {
    const holder = state.locks.get(service);
    if (holder !== undefined) throw new ServiceBusyError(service, holder);
  }
  // A start queued for the service goes first: a start that is not it waits its turn (it is queued in its place).
  for (const service of services)
    if (!change.fromQueue && state.queue.has(service)) throw new ServiceBusyError(service, null);
  if (state.releases.has(release.id))
    throw new VersionConflictError(release.id, 0, copy(state.releases.get(release.id)));
  for (const service of services) state.locks.set(service, release.id);
  if (change.fromQueue) state.queue.delete(release.service);
  write(state, change);
}

/** The queue's writes, each checked and applied with no `await` between, like a DynamoDB transaction. */
function memoryQueue(state: State): StartQueue {
  return {
    queuedStart: async (service) => copy(state.queue.get(service) ?? null),
    queuedStarts: async () => [...state.queue.values()].map(copy),
    async queueStart(change: QueueChange, expected: string | null) {
      const { queued, eventId } = change;
      if (eventId && state.seenEvents.has(eventId)) throw new DuplicateEventError(eventId);
      if ((state.queue.get(queued.service)?.releaseId ?? null) !== expected)
        throw new QueueChangedError(queued.service);
      const holder = state.locks.get(queued.service);
      if (holder !== undefined && holder !== queued.behind)
        throw new ServiceBusyError(queued.service, holder);
      state.queue.set(queued.service, copy(queued));
      if (eventId) state.seenEvents.add(eventId);
      for (const effect of change.effects) state.outbox.set(effect.id, copy(effect));
      state.writes++;
    },
    async dropQueuedStart(service, releaseId, effects) {
      if (state.queue.get(service)?.releaseId !== releaseId) return false;
      state.queue.delete(service);
      for (const effect of effects) state.outbox.set(effect.id, copy(effect));
      state.writes++;
      return true;
    },
  };
}

function save(state: State, change: ReleaseChange, expectedVersion: number): void {
  if (change.eventId && state.seenEvents.has(change.eventId)) throw new DuplicateEventError(change.eventId);
  const stored = state.releases.get(change.release.id);
  if (stored?.version !== expectedVersion) {
    throw new VersionConflictError(change.release.id, expectedVersion, stored && copy(stored));
  }
  write(state, change);
}

function write(state: State, change: ReleaseChange): void {
  const { release } = change;
  state.releases.set(release.id, copy(release));
  state.history.set(release.id, [...(state.history.get(release.id) ?? []), ...copy(change.history)]);
  for (const effect of change.effects) state.outbox.set(effect.id, copy(effect));
  if (change.eventId) state.seenEvents.add(change.eventId);
  const commandId = hostOperationRunOf(release)?.commandId;
  if (commandId) state.commands.set(commandId, release.id);
  if (!holdsServiceLock(release.state))
    for (const service of servicesOf(release))
      if (state.locks.get(service) === release.id) state.locks.delete(service);
  state.writes++;
}

function dueDeadlines(releases: Map<string, Release>, now: Instant): DueDeadline[] {
  return [...releases.values()].flatMap((release): DueDeadline[] => {
    const run = release.run;
    const due =
      run !== undefined &&
      holdsServiceLock(release.state) &&
      release.state !== 'rollbackFailed' &&
      run.deadlineAt <= now;
    return due ? [{ releaseId: release.id, stepId: run.stepId, deadlineAt: run.deadlineAt }] : [];
  });
}

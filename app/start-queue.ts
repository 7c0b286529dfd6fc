import type { People } from '../domain/access';
import {
  ConflictRetriesExhaustedError,
  DuplicateEventError,
  QueueChangedError,
  ServiceBusyError,
} from '../domain/errors';
import type { Notice } from '../domain/notice';
import type { PendingEffect } from '../domain/ports';
import { cancelRefusal, type QueuedStart } from '../domain/queue';
import { queuedNotice } from '../domain/queue-notice';
import type { Actor, NoticeSeverity, Release } from '../domain/types';
import {
  type DirectStart,
  type Execute,
  type StartDeps,
  type StartInput,
  type StartResult,
  startRelease,
} from './start-release';

/** Reads and writes before a start that keeps meeting other writers gives the request back to its caller's retry. */
const MAX_ATTEMPTS = 5;

type Refused = Exclude<DirectStart, { ok: true }>;

/** What the queue of a service did when asked to move on. */
export type QueueTurn =
  /** Nothing is queued, or it must wait: a release holds the service, or its predecessor's version is not recorded. */
  | { readonly kind: 'waiting' }
  | { readonly kind: 'started'; readonly queued: QueuedStart; readonly release: Release }
  /** The start path refused it when its turn came: it left the queue, and the channel was told why. */
  | { readonly kind: 'dropped'; readonly queued: QueuedStart; readonly refusal: Refused };

export type CancelResult =
  | { readonly ok: true; readonly queued: QueuedStart }
  | { readonly ok: false; readonly reason: 'nothing-queued'; readonly message: string }
  | {
      readonly ok: false;
      readonly reason: 'not-authorized';
      readonly message: string;
      readonly queued: QueuedStart;
      /** Who may, besides the person who queued it. */
      readonly approvers: People;
    };

export interface CancelInput {
  readonly service: string;
  /** The person, with the service's approver groups they belong to (resolved at the edge). */
  readonly actor: Actor;
  /** The entry a card's button was for: a newer one that replaced it is not cancelled by an old button. */
  readonly releaseId?: string;
}

/**
 * Starts a release, or queues it when a release holds the service. Step by step:
 * 1. Start it (`startRelease`): every check of the start path; only a busy service goes on to 2.
 * 2. Read who holds the service and the start queued now (which this one replaces); queue it in one conditional
 *    write with a notice on the holder's card. Another writer first: from 1 again.
 * 3. If no release holds the service any more (it ended meanwhile), let the queue move on at once.
 */
export async function startOrQueue(
  deps: StartDeps,
  input: StartInput,
  execute: Execute,
): Promise<StartResult> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const started = await startRelease(deps, input, execute);
    if (started.ok || started.reason !== 'release-busy') return started;
    const queued = await queueBehind(deps, input, execute);
    if (queued !== null) return queued;
  }
  throw new ConflictRetriesExhaustedError(`queue:${input.service}`, MAX_ATTEMPTS);
}

/** Queues the start; null when the queue or the lock changed under it (start again from the top). */
async function queueBehind(
  deps: StartDeps,
  input: StartInput,
  execute: Execute,
): Promise<StartResult | null> {
  const { service } = input;
  const [holder, current] = await Promise.all([
    deps.store.activeReleaseId(service),
    deps.store.queuedStart(service),
  ]);
  // No holder: the release ended, and the start queued behind it has not taken the lock yet.
  const behind = holder ?? current?.behind;
  if (behind === undefined) return null;
  const now = deps.clock.now();
  const queued: QueuedStart = {
    releaseId: deps.ids.releaseId(service, now),
    service,
    toVersion: input.toVersion,
    requestedBy: input.requestedBy,
    queuedAt: now,
    behind,
    ...(input.channel === undefined ? {} : { channel: input.channel }),
    ...(input.strategy === undefined ? {} : { strategy: input.strategy }),
    ...(input.percent === undefined ? {} : { percent: input.percent }),
    ...(input.windowSeconds === undefined ? {} : { windowSeconds: input.windowSeconds }),
  };
  const effects = told(queued, queuedNotice(queued, current), 'info', now);
  try {
    await deps.store.queueStart({ queued, effects, eventId: input.requestId }, current?.releaseId ?? null);
  } catch (error) {
    if (error instanceof DuplicateEventError) {
      return { ok: false, reason: 'duplicate-request', message: 'This request was already handled.' };
    }
    if (error instanceof QueueChangedError || error instanceof ServiceBusyError) return null;
    throw error;
  }
  await tell(deps, execute, behind, effects);
  if ((await deps.store.activeReleaseId(service)) === null) {
    const turn = await startQueued(deps, service, execute);
    if (turn.kind !== 'waiting' && turn.queued.releaseId === queued.releaseId) {
      return turn.kind === 'started' ? { ok: true, release: turn.release } : turn.refusal;
    }
  }
  const replaces = current ? `, in place of ${current.toVersion} queued by ${current.requestedBy.id}` : '';
  return {
    ok: false,
    reason: 'queued',
    message: `${service} ${queued.toVersion} is queued${replaces}: it starts when release ${behind} ends.`,
    queued,
    ...(current ? { replaced: current } : {}),
  };
}

/**
 * Starts the service's queued start once the service is free: after its release ended (succeeded or rolled back),
 * never while one holds it (a failed rollback holds it until a person retries it). Safe to call any number of
 * times, from any number of workers at once: the create takes the entry out of the queue in the write that takes
 * the lock, so one of them starts it and the others find it gone.
 * 1. Read the queued start; nothing, or a release holds the service -> waiting.
 * 2. Wait while the release it waited for has not recorded the version it left live (the new release starts from it).
 * 3. Start it through the start path, with the request as it was queued; refused -> drop it, and tell its channel.
 */
export async function startQueued(deps: StartDeps, service: string, execute: Execute): Promise<QueueTurn> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const queued = await deps.store.queuedStart(service);
    if (queued === null || (await deps.store.activeReleaseId(service)) !== null) return WAITING;
    if (await versionPending(deps, queued.behind)) return WAITING;
    let result: DirectStart;
    try {
      result = await startRelease(deps, requestOf(queued), execute, queued.releaseId);
    } catch (error) {
      if (error instanceof QueueChangedError) continue;
      throw error;
    }
    if (result.ok) return { kind: 'started', queued, release: result.release };
    if (result.reason === 'release-busy') return WAITING;
    const notice: Notice = {
      kind: 'queuedStartDropped',
      version: queued.toVersion,
      queuedBy: queued.requestedBy,
      reason: result.message,
    };
    const effects = told(queued, notice, 'warning', deps.clock.now());
    if (await deps.store.dropQueuedStart(service, queued.releaseId, effects)) {
      await tell(deps, execute, queued.behind, effects);
      return { kind: 'dropped', queued, refusal: result };
    }
  }
  return WAITING;
}

/**
 * Cancels the service's queued start (`/canary cancel`, or the button on the card): its requester and the service's
 * approvers may. Nothing queued, or not the entry the button was for -> `nothing-queued`.
 */
export async function cancelQueued(
  deps: StartDeps,
  input: CancelInput,
  execute: Execute,
): Promise<CancelResult> {
  const { service, actor } = input;
  const queued = await deps.store.queuedStart(service);
  const nothing = {
    ok: false,
    reason: 'nothing-queued',
    message: `No start of ${service} is queued (any more).`,
  } as const;
  if (queued === null || (input.releaseId !== undefined && input.releaseId !== queued.releaseId))
    return nothing;
  const found = await deps.configs.get(service);
  const approvers = found?.ok ? found.config.approvals : { users: [], groups: [] };
  if (cancelRefusal(queued, approvers, actor) !== null) {
    const message = `${actor.id} may not cancel the queued start of ${service} ${queued.toVersion}: only ${queued.requestedBy.id}, who queued it, or an approver of ${service} may.`;
    return { ok: false, reason: 'not-authorized', message, queued, approvers };
  }
  const notice: Notice = {
    kind: 'queuedStartCancelled',
    by: actor.id,
    version: queued.toVersion,
    queuedBy: queued.requestedBy,
  };
  const effects = told(queued, notice, 'info', deps.clock.now());
  if (!(await deps.store.dropQueuedStart(service, queued.releaseId, effects))) return nothing;
  await tell(deps, execute, queued.behind, effects);
  return { ok: true, queued };
}

/**
 * The sweeper's pass over every queued start: one whose service is free had its start lost (a worker died between
 * saving the end of the release before it and starting it), and starts now.
 */
export async function startFreeQueues(deps: StartDeps, execute: Execute): Promise<number> {
  let started = 0;
  for (const queued of await deps.store.queuedStarts()) {
    if ((await startQueued(deps, queued.service, execute)).kind === 'started') started++;
  }
  return started;
}

const WAITING: QueueTurn = { kind: 'waiting' };

function requestOf(queued: QueuedStart): StartInput {
  const { service, toVersion, requestedBy, channel, strategy, percent, windowSeconds } = queued;
  return { service, toVersion, requestedBy, channel, strategy, percent, windowSeconds };
}

/** The release a queued start waits for still has to record the version it left live: its successor starts there. */
async function versionPending(deps: StartDeps, releaseId: string): Promise<boolean> {
  const pending = await deps.store.pendingEffectsOf(releaseId);
  return pending.some((item) => item.effect.kind === 'recordCurrentVersion');
}

/**
 * A notice about the queue, for the card (and thread) of the release the start waits for. Its id names the entry
 * and what happened to it, each of which happens once.
 */
function told(queued: QueuedStart, notice: Notice, severity: NoticeSeverity, now: string): PendingEffect[] {
  return [
    {
      id: `${queued.behind}#queue#${queued.releaseId}#${notice.kind}`,
      releaseId: queued.behind,
      effect: { kind: 'notify', notice, severity },
      createdAt: now,
    },
  ];
}

async function tell(deps: StartDeps, execute: Execute, releaseId: string, effects: readonly PendingEffect[]) {
  const release = await deps.store.load(releaseId);
  if (release !== null) await execute(release, effects);
}

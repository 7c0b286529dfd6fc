import { releaseIdOfStack, stackEventOf } from '../domain/canary-stack';
import {
  ConflictRetriesExhaustedError,
  DuplicateEventError,
  UnknownReleaseError,
  VersionConflictError,
} from '../domain/errors';
import { servicesOf } from '../domain/group';
import { isTerminal } from '../domain/policies';
import type {
  AlarmCatalog,
  CanaryStackReport,
  Clock,
  EffectHandOff,
  IdSource,
  ListenerSwitch,
  PendingEffect,
  ReleaseStore,
  ServiceConfigs,
  VersionRegistry,
} from '../domain/ports';
import { transition } from '../domain/release-machine';
import type { Actor, AlarmState, Instant, Refusal, Release, ReleaseEvent } from '../domain/types';
import { type EffectPorts, type FollowUp, runEffects } from './effect-runner';
import { outbox, outboxOrder } from './outbox';
import { previewRevert, type RevertInput, type RevertOutcome, revertRelease } from './revert-release';
import { type GroupStartInput, startGroup } from './start-group';
import { type CancelInput, cancelQueued, startFreeQueues, startOrQueue, startQueued } from './start-queue';
import type { StartInput, StartResult } from './start-release';

interface CoreDeps {
  readonly store: ReleaseStore;
  readonly versions: VersionRegistry;
  readonly configs: ServiceConfigs;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Read at the start of a blue/green release, to learn which colour is live. */
  readonly listeners: Pick<ListenerSwitch, 'liveTargetGroup'>;
  /** Read at every start: a release never starts watching an alarm that does not exist. */
  readonly alarmCatalog: AlarmCatalog;
  /** Optimistic-concurrency retries before giving the event back to the caller's retry. */
  readonly maxAttempts?: number;
  readonly onEffectFailed?: (effect: PendingEffect, error: unknown) => void;
}

/**
 * Saved effects either run here, through the effect ports, or are handed off to another worker (a Slack request
 * must be answered within 3 seconds, so it only records the change and hands the outbox on).
 */
export type ReleaseServiceDeps = CoreDeps &
  ({ readonly handOff: EffectHandOff } | (EffectPorts & { readonly handOff?: undefined }));

export type ApplyResult =
  | { readonly ok: true; readonly changed: boolean; readonly release: Release }
  | { readonly ok: false; readonly reason: Refusal; readonly message: string; readonly release: Release };

/**
 * The release use cases over the ports: start a release, apply an event to one, and sweep for lost work.
 *
 * Apply, step by step:
 * 1. Load the release (unknown -> UnknownReleaseError).
 * 2. Run the pure `transition`; a refusal or an unchanged release ends here, with nothing written.
 * 3. Save the release, its history, its effects (the outbox) and the event id in one conditional write.
 * 4. On a version conflict, reload and go to 2; on a duplicate event id, report "unchanged".
 * 5. Run the effects (or hand them off); feed the events they produce (command ids, alarm readings) back in
 *    from step 1.
 */
export function releaseService(deps: ReleaseServiceDeps) {
  return {
    /** Starts a release, or queues it behind the one that holds the service (`reason: 'queued'`). */
    start: (input: StartInput): Promise<StartResult> =>
      startOrQueue(deps, input, (release, effects) => execute(deps, release, effects)),
    /** Starts a group release (full-link): never queued, a busy member refuses it. */
    startGroup: (input: GroupStartInput) =>
      startGroup(deps, input, (release, effects) => execute(deps, release, effects)),
    cancelQueued: (input: CancelInput) =>
      cancelQueued(deps, input, (release, effects) => execute(deps, release, effects)),
    /** Puts back the version the service's newest succeeded release replaced (`/canary revert`). */
    revert: (input: RevertInput): Promise<RevertOutcome> =>
      revertRelease(deps, input, (release, effects) => execute(deps, release, effects)),
    previewRevert: (input: RevertInput): Promise<RevertOutcome> => previewRevert(deps, input),
    apply: (releaseId: string, event: ReleaseEvent, eventId?: string) =>
      apply(deps, releaseId, event, eventId),
    applyToCommand: (commandId: string, event: ReleaseEvent, eventId?: string) =>
      applyToCommand(deps, commandId, event, eventId),
    alarmChanged: (alarm: AlarmChange, eventId: string) => alarmChanged(deps, alarm, eventId),
    canaryStackReported: (report: StackReport, eventId: string) => canaryStackReported(deps, report, eventId),
    canaryStackChanged: (stackName: string, report: CanaryStackReport, eventId: string) =>
      canaryStackChanged(deps, stackName, report, eventId),
    sweep: (graceSeconds = 60) => sweep(deps, graceSeconds),
    runPending: (releaseId: string) => runPending(deps, releaseId),
  };
}

type AlarmChange = { alarmName: string; state: AlarmState; reason: string; at: Instant };
type StackReport = { service: string; version: string; actor: Actor; failure?: string };

async function apply(
  deps: ReleaseServiceDeps,
  releaseId: string,
  event: ReleaseEvent,
  eventId?: string,
): Promise<ApplyResult> {
  const maxAttempts = deps.maxAttempts ?? 8;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const release = await deps.store.load(releaseId);
    if (release === null) throw new UnknownReleaseError(releaseId);
    const now = deps.clock.now();
    const result = transition(release, event, now);
    if (!result.ok) return { ...result, release };
    if (!result.changed) {
      // A redelivered end: the queue may not have moved on the first time (the worker died after saving it).
      await queueMovesOn(deps, release);
      return { ok: true, changed: false, release };
    }
    const effects = outbox(result.release, result.effects, now);
    try {
      await deps.store.save(
        { release: result.release, history: result.history, effects, eventId },
        release.version,
      );
    } catch (error) {
      if (error instanceof VersionConflictError) continue;
      if (error instanceof DuplicateEventError) return { ok: true, changed: false, release };
      throw error;
    }
    await execute(deps, result.release, effects);
    await queueMovesOn(deps, result.release);
    return { ok: true, changed: true, release: result.release };
  }
  throw new ConflictRetriesExhaustedError(releaseId, maxAttempts);
}

/** SSM results name a command, not a release: find the release that sent it. */
async function applyToCommand(
  deps: ReleaseServiceDeps,
  commandId: string,
  event: ReleaseEvent,
  eventId?: string,
): Promise<ApplyResult> {
  const releaseId = await deps.store.releaseIdForCommand(commandId);
  if (releaseId === null) throw new UnknownReleaseError(`command ${commandId}`);
  return apply(deps, releaseId, await withHostOutput(deps, event), eventId);
}

/**
 * A host's failure with what it printed: Run Command's events say that a host failed, not why, and the card names
 * the reason. The reason is a courtesy: failing to read it never holds the failure up.
 */
async function withHostOutput(deps: ReleaseServiceDeps, event: ReleaseEvent): Promise<ReleaseEvent> {
  // A worker that hands effects on (the Slack function) never hears from hosts, and holds no fleet to ask.
  if (deps.handOff !== undefined || event.kind !== 'hostCommandFinished') return event;
  if (event.status === 'success' || event.output !== undefined) return event;
  const output = await deps.fleet.output(event.commandId, event.hostId).catch(() => undefined);
  return output === undefined ? event : { ...event, output };
}

/** A watched alarm changed state: every active release that watches it hears about it. */
async function alarmChanged(
  deps: ReleaseServiceDeps,
  alarm: AlarmChange,
  eventId: string,
): Promise<readonly ApplyResult[]> {
  const watching = (await deps.store.activeReleases()).filter((r) =>
    r.policy.watchedAlarms.includes(alarm.alarmName),
  );
  // Each release is applied on its own, all at once: one after another, the last of 50 releases watching a shared
  // alarm waited for 49 rollbacks' writes, SendCommands and card updates before its own began (linear in releases;
  // `npm run bench -- scale`). A failure is thrown once every other release has had its turn; the retried event is
  // deduplicated per release.
  const settled = await Promise.allSettled(
    watching.map((release) =>
      apply(deps, release.id, { kind: 'alarmChanged', ...alarm }, `${eventId}:${release.id}`),
    ),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
}

/**
 * A pipeline reports on the canary stack it built for `service` at `version`. A report about another version
 * (an aborted release, a re-run pipeline) is stale and changes nothing.
 */
async function canaryStackReported(
  deps: ReleaseServiceDeps,
  report: StackReport,
  eventId: string,
): Promise<ApplyResult | null> {
  const releaseId = await deps.store.activeReleaseId(report.service);
  const release = releaseId ? await deps.store.load(releaseId) : null;
  if (!release || release.toVersion !== report.version) return null;
  const event: ReleaseEvent =
    report.failure === undefined
      ? { kind: 'canaryStackReady', actor: report.actor }
      : { kind: 'canaryStackFailed', actor: report.actor, reason: report.failure };
  return apply(deps, release.id, event, eventId);
}

/**
 * CloudFormation says where a release's own canary stack stands (read from it, not taken from the event that
 * prompted the read). A stack of no release, or one still at work, changes nothing.
 */
async function canaryStackChanged(
  deps: ReleaseServiceDeps,
  stackName: string,
  report: CanaryStackReport,
  eventId: string,
): Promise<ApplyResult | null> {
  const releaseId = releaseIdOfStack(stackName);
  const event = stackEventOf(stackName, report);
  if (releaseId === null || event === null) return null;
  return apply(deps, releaseId, event, eventId);
}

/**
 * Finds lost work and moves it on through the engine, never around it: effects still in the outbox after
 * `graceSeconds` (a Lambda died before running them) are run again, steps past their deadline get a
 * `deadlineExceeded` event, and a queued start whose service is free (its start was lost) is started.
 */
async function sweep(
  deps: ReleaseServiceDeps,
  graceSeconds: number,
): Promise<{ effectsRerun: number; deadlines: number; queuedStarted: number }> {
  const now = deps.clock.now();
  const stale = await deps.store.pendingEffects(
    new Date(Date.parse(now) - graceSeconds * 1000).toISOString(),
  );
  for (const [releaseId, items] of groupByRelease(stale)) {
    const release = await deps.store.load(releaseId);
    if (release !== null) await execute(deps, release, items);
  }
  const due = await deps.store.dueDeadlines(now);
  for (const { releaseId, stepId, deadlineAt } of due) {
    await apply(deps, releaseId, { kind: 'deadlineExceeded', stepId }, `deadline:${stepId}:${deadlineAt}`);
  }
  const queuedStarted = await startFreeQueues(deps, (release, effects) => execute(deps, release, effects));
  return { effectsRerun: stale.length, deadlines: due.length, queuedStarted };
}

/** Runs what a release still has in its outbox: the other side of a hand-off. */
async function runPending(deps: ReleaseServiceDeps, releaseId: string): Promise<{ ran: number }> {
  const release = await deps.store.load(releaseId);
  if (release === null) throw new UnknownReleaseError(releaseId);
  const pending = [...(await deps.store.pendingEffectsOf(releaseId))].sort(outboxOrder);
  if (pending.length > 0) await execute(deps, release, pending);
  await queueMovesOn(deps, release);
  return { ran: pending.length };
}

/**
 * Once a release has ended (succeeded or rolled back, never a failed rollback, which holds its service) and its
 * effects have run, the start queued behind it goes. Whoever applied the end asks, once for each delivery of it;
 * the queue starts it once (`startQueued`). A worker that hands effects on has not run them yet: the effects
 * worker asks after running them.
 */
async function queueMovesOn(deps: ReleaseServiceDeps, release: Release): Promise<void> {
  if (deps.handOff !== undefined || !isTerminal(release.state)) return;
  for (const service of servicesOf(release))
    await startQueued(deps, service, (next, effects) => execute(deps, next, effects));
}

async function execute(
  deps: ReleaseServiceDeps,
  release: Release,
  effects: readonly PendingEffect[],
): Promise<void> {
  if (deps.handOff) {
    // Nothing is lost if the hand-off fails: the effects wait in the outbox for the sweeper.
    await deps.handOff.handOff(release.id).catch((error: unknown) => {
      for (const effect of effects) deps.onEffectFailed?.(effect, error);
    });
    return;
  }
  const summary = await runEffects(deps, release, effects);
  for (const { effect, error } of summary.failed) deps.onEffectFailed?.(effect, error);
  await feedBack(deps, summary.followUps);
}

async function feedBack(deps: ReleaseServiceDeps, followUps: readonly FollowUp[]): Promise<void> {
  for (const followUp of followUps) await apply(deps, followUp.releaseId, followUp.event, followUp.eventId);
}

export type ReleaseService = ReturnType<typeof releaseService>;

function groupByRelease(items: readonly PendingEffect[]): Map<string, PendingEffect[]> {
  const groups = new Map<string, PendingEffect[]>();
  for (const item of items) groups.set(item.releaseId, [...(groups.get(item.releaseId) ?? []), item]);
  return groups;
}

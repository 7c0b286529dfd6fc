import { type StartDenial, startRefusal } from '../domain/access';
import { existingAlarmNames } from '../domain/canary-stack';
import {
  DuplicateEventError,
  ListenerSwitchRefusedError,
  ServiceBusyError,
  ServiceFrozenError,
} from '../domain/errors';
import type { PendingEffect } from '../domain/ports';
import type { QueuedStart } from '../domain/queue';
import {
  type RequestRefusal,
  type RequestResult,
  requestRelease,
  type StrategyChoice,
} from '../domain/release-request';
import type { ServiceConfig } from '../domain/service-config';
import type { Actor, Release } from '../domain/types';
import { outbox } from './outbox';
import type { ReleaseServiceDeps } from './release-service';
import { busy, denied } from './start-refusals';

export interface StartInput {
  readonly service: string;
  readonly toVersion: string;
  readonly requestedBy: Actor;
  /**
   * The Slack channel a chat command came from; every chat edge passes it, and the service's channel rule then
   * applies. Absent for requests that come from no channel (pipelines, scripted starts in tests and the sandbox).
   */
  readonly channel?: string;
  readonly strategy?: StrategyChoice;
  readonly percent?: number;
  readonly windowSeconds?: number;
  /** The delivery id (Slack request, EventBridge event), so a retried request starts nothing twice. */
  readonly requestId?: string;
}

export type StartRefusal =
  | RequestRefusal
  | StartDenial['reason']
  | 'unknown-service'
  | 'invalid-config'
  | 'no-current-version'
  | 'release-busy'
  | 'listener-unreadable'
  | 'missing-alarms'
  | 'duplicate-request';

export type StartResult =
  | { readonly ok: true; readonly release: Release }
  /** The service was busy: the start waits for its running release to end (`replaced`: the start it replaced). */
  | {
      readonly ok: false;
      readonly reason: 'queued';
      readonly message: string;
      readonly queued: QueuedStart;
      readonly replaced?: QueuedStart;
    }
  | {
      readonly ok: false;
      readonly reason: StartRefusal;
      readonly message: string;
      readonly activeReleaseId?: string;
      /** Set when the access policy refused: who may start, from where, or the freezes in force. */
      readonly denial?: StartDenial;
    };

/** What a start that is not queued ends in: started, or refused. */
export type DirectStart = Exclude<StartResult, { reason: 'queued' }>;
type Refused = Exclude<DirectStart, { ok: true }>;
export type StartDeps = Pick<
  ReleaseServiceDeps,
  'store' | 'versions' | 'configs' | 'clock' | 'ids' | 'listeners' | 'alarmCatalog'
>;
export type Execute = (release: Release, effects: readonly PendingEffect[]) => Promise<void>;

/**
 * Starts a release, step by step:
 * 1. Load the service's configuration (unknown or invalid -> refused).
 * 2. Ask the domain whether this actor may start it from this channel, and whether a freeze stops it.
 * 3. Read the version the stable fleet runs and, for blue/green, the live colour.
 * 4. Plan the release (`requestRelease`) and create it: one write that takes the service's lock, checks the
 *    request id and that no freeze appeared since step 2.
 * 5. Run its first effects (or hand them off).
 *
 * `reserved` is the release id a queued start reserved: its create also takes it out of the queue (or fails with
 * QueueChangedError when it is no longer queued).
 */
export async function startRelease(
  deps: StartDeps,
  input: StartInput,
  execute: Execute,
  reserved?: string,
): Promise<DirectStart> {
  const found = await deps.configs.get(input.service);
  if (found === null) {
    const message = `No service called ${input.service} is configured.`;
    return { ok: false, reason: 'unknown-service', message };
  }
  if (!found.ok) {
    const message = `${input.service}'s configuration is invalid: ${found.errors.join('; ')}`;
    return { ok: false, reason: 'invalid-config', message };
  }
  const freezes = await deps.store.freezesOf(input.service);
  const request = { actor: input.requestedBy, channel: input.channel };
  const denial = startRefusal(found.config, request, freezes);
  if (denial !== null) return denied(input.service, denial, input.requestedBy);
  // No early "is it busy?" read: the create below takes the service's lock and checks the request id in one
  // transaction, so a retried request is told "already handled" rather than "busy" with its own release.
  const fromVersion = await deps.versions.current(input.service);
  if (fromVersion === null) {
    return {
      ok: false,
      reason: 'no-current-version',
      message: `No current version is recorded for ${input.service}; record the version its stable fleet runs first.`,
    };
  }
  const live = await liveTargetGroup(deps, found.config);
  if (typeof live === 'object') return live;
  return createRelease(deps, { ...input, reserved }, { config: found.config, fromVersion, live }, execute);
}

async function createRelease(
  deps: StartDeps,
  input: StartInput & { readonly reserved?: string },
  known: { config: ServiceConfig; fromVersion: string; live: string | undefined },
  execute: Execute,
): Promise<DirectStart> {
  const now = deps.clock.now();
  const requested = requestRelease({
    ...input,
    releaseId: input.reserved ?? deps.ids.releaseId(input.service, now),
    config: known.config,
    fromVersion: known.fromVersion,
    ...(known.live ? { liveTargetGroupArn: known.live } : {}),
    now,
  });
  if (!requested.ok) return requested;
  const missing = await deps.alarmCatalog.missing(watchedBy(requested.release));
  if (missing.length > 0) {
    const message = `${known.config.service} watches alarms that do not exist in CloudWatch: ${missing.join(', ')}. Create them, or correct alarms in its configuration; a release that watches nothing would pass unseen.`;
    return { ok: false, reason: 'missing-alarms', message };
  }
  return createPlanned(deps, input, requested, execute);
}

/**
 * Creates a planned release: one write that takes the service's lock, checks the request id and that no freeze
 * appeared since it was checked; then runs its first effects (or hands them off).
 */
export async function createPlanned(
  deps: StartDeps,
  input: Pick<StartInput, 'service' | 'requestedBy' | 'requestId'> & { readonly reserved?: string },
  requested: Extract<RequestResult, { ok: true }>,
  execute: Execute,
): Promise<DirectStart> {
  const now = deps.clock.now();
  const effects = outbox(requested.release, requested.effects, now);
  const fromQueue = input.reserved === undefined ? {} : { fromQueue: true };
  try {
    await deps.store.create({ ...requested, effects, eventId: input.requestId, ...fromQueue });
  } catch (error) {
    if (error instanceof ServiceBusyError) return busy(error.service, error.activeReleaseId);
    if (error instanceof ServiceFrozenError) {
      // Frozen between the check and the write: say by whom, as the check would have.
      const frozen = { reason: 'frozen', freezes: await deps.store.freezesOf(input.service) } as const;
      return denied(input.service, frozen, input.requestedBy);
    }
    if (error instanceof DuplicateEventError) {
      return { ok: false, reason: 'duplicate-request', message: 'This request was already handled.' };
    }
    throw error;
  }
  await execute(requested.release, effects);
  return { ok: true, release: requested.release };
}

/**
 * For a blue/green service, the target group its listener forwards to now (the live colour is its stable fleet,
 * whatever the strategy); a refusal when the listener cannot be read.
 */
export async function liveTargetGroup(
  deps: StartDeps,
  config: ServiceConfig,
): Promise<string | undefined | Refused> {
  const bg = config.blueGreen;
  if (bg === undefined) return undefined;
  const route = bg.ruleArn
    ? { listenerArn: bg.listenerArn, ruleArn: bg.ruleArn }
    : { listenerArn: bg.listenerArn };
  try {
    return (await deps.listeners.liveTargetGroup(route)) ?? undefined;
  } catch (error) {
    if (!(error instanceof ListenerSwitchRefusedError)) throw error;
    const message = `${config.service}'s listener cannot be read: ${error.message}`;
    return { ok: false, reason: 'listener-unreadable', message };
  }
}

/**
 * Every alarm the release will watch that exists before it does: the policy's, and each window's (the alarms of a
 * temporary canary stack are made with the stack, and its outputs are checked then).
 */
function watchedBy(release: Release): string[] {
  const windows = release.plan.flatMap((step) => (step.kind === 'validate' ? step.alarms : []));
  return [...new Set(existingAlarmNames([...release.policy.watchedAlarms, ...windows]))];
}

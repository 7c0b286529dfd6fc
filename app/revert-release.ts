import type { StartDenial } from '../domain/access';
import { isTerminal } from '../domain/policies';
import type { RequestResult } from '../domain/release-request';
import { type RevertRefusal, requestRevert } from '../domain/revert';
import type { Actor, Release } from '../domain/types';
import { busy } from './start-refusals';
import {
  createPlanned,
  type Execute,
  liveTargetGroup,
  type StartDeps,
  type StartRefusal,
} from './start-release';

export interface RevertInput {
  readonly service: string;
  readonly requestedBy: Actor;
  /** The release the person saw in the confirm dialog: a revert of anything else (it changed since) is refused. */
  readonly targetReleaseId?: string;
  /** The delivery id (the confirm button's click), so a retried click reverts nothing twice. */
  readonly requestId?: string;
}

export type RevertOutcome =
  | { readonly ok: true; readonly release: Release; readonly target: Release }
  | {
      readonly ok: false;
      readonly reason: StartRefusal | RevertRefusal | 'nothing-to-revert' | 'stale-revert';
      readonly message: string;
      readonly denial?: StartDenial;
    };

type Refused = Extract<RevertOutcome, { ok: false }>;
type Planned = { readonly requested: Extract<RequestResult, { ok: true }>; readonly target: Release };

/** How far back a revert looks for the succeeded release: later ones that rolled back are skipped over. */
const LOOK_BACK = 20;

/**
 * What a revert would do now, without doing it: the confirm dialog names both versions from this. Every refusal
 * a revert can meet is met here, so a person is told at once rather than after the click.
 */
export async function previewRevert(deps: StartDeps, input: RevertInput): Promise<RevertOutcome> {
  const planned = await planRevert(deps, input);
  return 'ok' in planned ? planned : { ok: true, release: planned.requested.release, target: planned.target };
}

/**
 * Reverts the service's newest succeeded release, step by step:
 * 1. Load the service's configuration (unknown or invalid -> refused).
 * 2. Find its newest succeeded release among the recent ones; refuse while one is in progress, when none
 *    succeeded, or when it is not the one the person confirmed.
 * 3. Read the version the fleet runs, the freezes and, for blue/green, the live colour.
 * 4. Ask the domain (`requestRevert`): who may, a freeze, a version or colour that moved since.
 * 5. Create it as any release is created (the service's lock, the request id, no freeze) and run its effects.
 */
export async function revertRelease(
  deps: StartDeps,
  input: RevertInput,
  execute: Execute,
): Promise<RevertOutcome> {
  const planned = await planRevert(deps, input);
  if ('ok' in planned) return planned;
  const created = await createPlanned(deps, input, planned.requested, execute);
  return created.ok ? { ...created, target: planned.target } : created;
}

async function planRevert(deps: StartDeps, input: RevertInput): Promise<Planned | Refused> {
  const { service } = input;
  const found = await deps.configs.get(service);
  if (found === null) {
    return { ok: false, reason: 'unknown-service', message: `No service called ${service} is configured.` };
  }
  if (!found.ok) {
    const message = `${service}'s configuration is invalid: ${found.errors.join('; ')}`;
    return { ok: false, reason: 'invalid-config', message };
  }
  const recent = await deps.store.recentReleases(service, LOOK_BACK);
  const active = recent.find((release) => !isTerminal(release.state));
  if (active) return busy(service, active.id);
  const index = recent.findIndex((release) => release.state === 'succeeded');
  const target = recent[index];
  if (target === undefined) {
    const message = `${service} has no succeeded release to revert${recent.length > 0 ? ` among its last ${recent.length}` : ''}.`;
    return { ok: false, reason: 'nothing-to-revert', message };
  }
  if (input.targetReleaseId !== undefined && input.targetReleaseId !== target.id) {
    const message = `${service} changed since this was asked: its newest succeeded release is now ${target.id} (${target.fromVersion} → ${target.toVersion}). Run \`/canary revert ${service}\` again to see what a revert would do now.`;
    return { ok: false, reason: 'stale-revert', message };
  }
  const [currentVersion, freezes, live] = await Promise.all([
    deps.versions.current(service),
    deps.store.freezesOf(service),
    liveTargetGroup(deps, found.config),
  ]);
  if (typeof live === 'object') return live;
  const requested = requestRevert({
    releaseId: deps.ids.releaseId(service, deps.clock.now()),
    config: found.config,
    target,
    newer: recent.slice(0, index),
    currentVersion,
    freezes,
    requestedBy: input.requestedBy,
    ...(live ? { liveTargetGroupArn: live } : {}),
    now: deps.clock.now(),
  });
  return requested.ok ? { requested, target } : requested;
}

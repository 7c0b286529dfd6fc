import { type Freeze, isAmong } from './access';
import { planFor, undoSteps } from './plan';
import { beginRelease, type RequestResult } from './release-request';
import type { ServiceConfig } from './service-config';
import { colourSwitch } from './strategy';
import type { Actor, Colour, Instant, Release, Strategy } from './types';

/*
 * `/canary revert <service>`: after a release succeeded, put back the version it replaced, in one step. A revert
 * is a release of its own (strategy `revert`), recorded and shown like any other, that skips the canary and the
 * validation window because it goes back to a version that already ran.
 */

export interface RevertRequest {
  readonly releaseId: string;
  readonly config: ServiceConfig;
  /** The service's newest succeeded release: the one reverted. */
  readonly target: Release;
  /** The service's releases newer than `target` (none succeeded; each rolled back or aborted). */
  readonly newer: readonly Release[];
  /** The version the registry says the stable fleet runs. */
  readonly currentVersion: string | null;
  readonly freezes: readonly Freeze[];
  readonly requestedBy: Actor;
  /** For a blue/green service: the target group its listener forwards to now. */
  readonly liveTargetGroupArn?: string;
  readonly now: Instant;
}

export type RevertRefusal =
  | 'not-authorized'
  | 'frozen'
  | 'version-moved'
  | 'previous-colour-changed'
  | 'listener-moved';

export type RevertResult =
  | Extract<RequestResult, { ok: true }>
  | { readonly ok: false; readonly reason: RevertRefusal; readonly message: string };

/**
 * Checks a revert against the service's policy and what ran since, and starts it: the previous version promoted
 * on the stable fleet (the same `promote` operation, batch size and maxErrors as a promotion), or for a
 * blue/green release the listener switched back to the colour that still runs it.
 *
 * @example
 * requestRevert({ target: succeeded141to142, currentVersion: '1.4.2', requestedBy: approver, … })
 * // { ok: true, release: { fromVersion: '1.4.2', toVersion: '1.4.1', state: 'promoting', strategy: { kind: 'revert', … } } }
 */
export function requestRevert(request: RevertRequest): RevertResult {
  const { config, target } = request;
  const refusal = revertRefusal(request);
  if (refusal) return { ok: false, ...refusal };
  const switched = colourSwitch(target.strategy);
  const strategy: Strategy = {
    kind: 'revert',
    of: target.id,
    ...(switched ? { colours: { from: switched.to, to: switched.from } } : {}),
  };
  const live = liveColourOf(config, request.liveTargetGroupArn);
  const planInput = {
    releaseId: request.releaseId,
    config,
    strategy,
    fromVersion: target.toVersion,
    toVersion: target.fromVersion,
    windowSeconds: 0,
    ...(live ? { liveColour: live } : {}),
  };
  return beginRelease(
    { ...planInput, requestedBy: request.requestedBy, now: request.now },
    {
      strategy,
      // A revert watches no alarm: the version it leaves may well be firing them, and must not stop it.
      policy: {
        approvers: config.approvals.users,
        approverGroups: config.approvals.groups,
        fourEyes: config.approvals.fourEyes,
        watchedAlarms: [],
        onNoData: config.validation.onNoData,
        channel: config.slack.channel,
      },
      plan: planFor(planInput),
      undo: undoSteps(planInput),
    },
  );
}

/**
 * Who may revert: the service's approvers, and the reverted release's requester when `revert.byRequester` is
 * set. Four eyes does not apply: going back to a version that ran is the safe direction.
 *
 * @example
 * mayRevert(config, target, { kind: 'person', id: 'U_STRANGER' }) // false
 */
export function mayRevert(config: ServiceConfig, target: Release, actor: Actor): boolean {
  const approvers = { users: config.approvals.users, groups: config.approvals.groups };
  if (isAmong(approvers, actor)) return true;
  return config.revert.byRequester && actor.kind === 'person' && actor.id === target.requestedBy.id;
}

function revertRefusal(request: RevertRequest): { reason: RevertRefusal; message: string } | null {
  const { config, target } = request;
  const service = config.service;
  if (!mayRevert(config, target, request.requestedBy)) {
    const also = config.revert.byRequester ? `, or ${target.requestedBy.id} who started it,` : '';
    return {
      reason: 'not-authorized',
      message: `Only ${service}'s approvers${also} may revert it.`,
    };
  }
  const inForce = request.freezes.filter((f) => f.scope === service || f.scope === '*');
  if (inForce.length > 0) {
    return {
      reason: 'frozen',
      message: `${service} is frozen (${inForce.map((f) => `by ${f.by.id}${f.reason ? `: "${f.reason}"` : ''}`).join('; ')}); a revert is a release too. Lift the freeze first.`,
    };
  }
  if (request.currentVersion !== target.toVersion) {
    return {
      reason: 'version-moved',
      message: `${service} is recorded as running ${request.currentVersion ?? 'no version'}, not ${target.toVersion} which release ${target.id} put there: the agent will not guess what to put back.`,
    };
  }
  return colourRefusal(request);
}

/** A blue/green revert needs the listener still on the release's colour and the other colour untouched since. */
function colourRefusal(request: RevertRequest): { reason: RevertRefusal; message: string } | null {
  const { config, target } = request;
  const switched = colourSwitch(target.strategy);
  const live = liveColourOf(config, request.liveTargetGroupArn);
  if (config.blueGreen && live === undefined) {
    return {
      reason: 'listener-moved',
      message: `${config.service}'s listener forwards to neither its blue nor its green target group: point it at one of them first.`,
    };
  }
  if (switched === undefined) return null;
  if (live !== switched.to) {
    return {
      reason: 'listener-moved',
      message: `${config.service}'s listener no longer forwards to ${switched.to}, where release ${target.id} put ${target.toVersion}: it was switched by hand, so the agent will not switch it back.`,
    };
  }
  const overwrote = request.newer.find((release) => deployedTo(release) === switched.from);
  if (overwrote) {
    return {
      reason: 'previous-colour-changed',
      message: `${switched.from} no longer runs ${target.fromVersion}: release ${overwrote.id} deployed ${overwrote.toVersion} there since. Release ${target.fromVersion} again instead (\`/canary start ${config.service} ${target.fromVersion} strategy=blue-green\`).`,
    };
  }
  return null;
}

/** The idle colour a blue/green release deployed its version to. */
function deployedTo(release: Release): Colour | undefined {
  return release.strategy.kind === 'blueGreen' ? release.strategy.to : undefined;
}

/** The colour a blue/green service's listener forwards to, if it is one of its own. */
export function liveColourOf(config: ServiceConfig, live: string | undefined): Colour | undefined {
  const bg = config.blueGreen;
  if (bg === undefined || live === undefined) return undefined;
  if (live === bg.blue.targetGroupArn) return 'blue';
  return live === bg.green.targetGroupArn ? 'green' : undefined;
}

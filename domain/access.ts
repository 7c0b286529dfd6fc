import type { ServiceConfig } from './service-config';
import type { Actor, Instant } from './types';

/** The scope of a freeze on every service (`/canary freeze all`); service names never contain `*`. */
export const EVERY_SERVICE = '*';

/** A change freeze: no release of `scope` may start until it is lifted. Recorded with who set it, when and why. */
export interface Freeze {
  /** A service name, or `*` (EVERY_SERVICE). */
  readonly scope: string;
  readonly by: Actor;
  readonly at: Instant;
  readonly reason?: string;
}

/** Slack users, and Slack user groups whose members count as listed. */
export interface People {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

type StartRules = Pick<ServiceConfig, 'service' | 'requesters' | 'slack'>;

/** Why a start is refused before anything is read or written; each carries what the refusal must tell. */
export type StartDenial =
  | { readonly reason: 'not-a-requester'; readonly requesters: People }
  | { readonly reason: 'pipeline-not-allowed'; readonly pipelines: readonly string[] }
  | { readonly reason: 'wrong-channel'; readonly channels: readonly string[] }
  | { readonly reason: 'frozen'; readonly freezes: readonly Freeze[] };

/** True when the actor is one of `people`, directly or through a group resolved at the edge. */
export function isAmong(people: People, actor: Actor): boolean {
  if (actor.kind !== 'person') return false;
  if (people.users.includes(actor.id)) return true;
  return (actor.groups ?? []).some((group) => people.groups.includes(group));
}

/**
 * The user groups the edge must ask Slack about before `userId` can be judged against `people`: none when the
 * user is listed directly (or nobody is listed), so Slack is asked only when the answer matters.
 *
 * @example
 * groupsToResolve({ users: ['U1'], groups: ['S1'] }, 'U1') // []
 */
export function groupsToResolve(people: People, userId: string): readonly string[] {
  return people.users.includes(userId) ? [] : people.groups;
}

/** The channels `/canary start` is accepted from: the service's own channel first, then any others listed. */
export function startChannels(config: Pick<ServiceConfig, 'slack'>): readonly string[] {
  return [...new Set([config.slack.channel, ...config.slack.channels])];
}

/**
 * Who may start a release of a service, from where, and whether a freeze stops it. People: anyone when the
 * service lists no requesters, else the listed users and members of the listed groups; only from the service's
 * channels when the request came from a chat channel (pipelines have none). Pipelines: any, unless the service
 * names the pipelines allowed. A freeze on the service or on every service stops everyone, pipelines included.
 *
 * @example
 * startRefusal(config, { actor: { kind: 'person', id: 'U_STRANGER' }, channel: 'C0RELEASES' }, [])
 * // { reason: 'not-a-requester', requesters: { users: ['U0REQUESTER'], groups: ['S0RELEASERS'] } }
 */
export function startRefusal(
  config: StartRules,
  request: { readonly actor: Actor; readonly channel?: string },
  freezes: readonly Freeze[],
): StartDenial | null {
  const who = requesterRefusal(config.requesters, request.actor);
  if (who !== null) return who;
  const channels = startChannels(config);
  if (request.channel !== undefined && !channels.includes(request.channel)) {
    return { reason: 'wrong-channel', channels };
  }
  const inForce = freezes.filter((f) => f.scope === config.service || f.scope === EVERY_SERVICE);
  return inForce.length > 0 ? { reason: 'frozen', freezes: inForce } : null;
}

function requesterRefusal(rules: ServiceConfig['requesters'], actor: Actor): StartDenial | null {
  switch (actor.kind) {
    case 'pipeline':
      if (rules.pipelines === undefined || rules.pipelines.includes(actor.id)) return null;
      return { reason: 'pipeline-not-allowed', pipelines: rules.pipelines };
    case 'person':
      if (rules.users.length + rules.groups.length === 0 || isAmong(rules, actor)) return null;
      return { reason: 'not-a-requester', requesters: rules };
    // Nothing in the agent itself starts releases; a system actor asking to is a bug, refused like a stranger.
    case 'system':
      return { reason: 'not-a-requester', requesters: rules };
  }
}

/**
 * Who may freeze `scope` and lift its freeze: for one service its approvers and the freeze admins; for every
 * service (`*`) the freeze admins only, since no team's approvers speak for the others.
 *
 * @example
 * freezers('*', null, { users: ['U_ADMIN'], groups: [] }) // { users: ['U_ADMIN'], groups: [] }
 */
export function freezers(
  scope: string,
  config: Pick<ServiceConfig, 'approvals'> | null,
  admins: People,
): People {
  if (scope === EVERY_SERVICE || config === null) return admins;
  return {
    users: [...new Set([...config.approvals.users, ...admins.users])],
    groups: [...new Set([...config.approvals.groups, ...admins.groups])],
  };
}

/**
 * Refuses a freeze or an unfreeze by anyone who is not one of `allowed` (see `freezers`). Lifting needs the
 * same right as setting: a freeze is not its author's alone to lift, or a team on leave could not unfreeze.
 *
 * @example
 * freezeRefusal({ users: ['U1'], groups: [] }, { kind: 'person', id: 'U2' }) // 'not-authorized'
 */
export function freezeRefusal(allowed: People, actor: Actor): 'not-authorized' | null {
  return isAmong(allowed, actor) ? null : 'not-authorized';
}

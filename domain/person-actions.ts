import { transition } from './release-machine';
import type { Actor, Release, ReleaseEvent } from './types';

/** What a person can do to a running release: the card's buttons and the `/canary` verbs that act on one. */
export type PersonAction = 'promote' | 'rollback' | 'abort' | 'retry';

export const PERSON_ACTIONS: readonly PersonAction[] = ['promote', 'retry', 'rollback', 'abort'];

/** The engine event a person's action stands for. */
export function personEvent(action: PersonAction, actor: Actor): ReleaseEvent {
  switch (action) {
    case 'promote':
      return { kind: 'approved', actor };
    case 'rollback':
      return { kind: 'rollbackRequested', actor };
    case 'abort':
      return { kind: 'abortRequested', actor };
    case 'retry':
      return { kind: 'rollbackRetried', actor };
  }
}

/**
 * The actions the engine would accept now: from `actor`, or, without one, from someone entitled to them (an
 * approver who is not the requester and has not approved yet), which is what a card shared by a channel shows.
 * Asking `transition` itself keeps this list and the engine's refusals one fact: a button shows only when
 * pressing it can be accepted.
 *
 * @example
 * allowedActions(awaitingApprovalRelease) // ['promote', 'rollback', 'abort']
 */
export function allowedActions(release: Release, actor: Actor = entitledApprover(release)): PersonAction[] {
  return PERSON_ACTIONS.filter(
    (action) => transition(release, personEvent(action, actor), release.updatedAt).ok,
  );
}

/** A person in every approver role, who is neither the requester nor anyone who already approved. */
function entitledApprover(release: Release): Actor {
  const taken = new Set([release.requestedBy.id, ...release.approvals.map((approval) => approval.by)]);
  const id = [...release.policy.approvers, 'U0ANYAPPROVER'].find((candidate) => !taken.has(candidate));
  return { kind: 'person', id: id ?? 'U0ANYAPPROVER', groups: release.policy.approverGroups };
}

import { transition } from './release-machine';
import type { Actor, Refusal, Release, ReleaseEvent } from './types';

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

/**
 * Why the engine would refuse `actor`'s action now, or null when it would accept it. Nothing is applied: this lets
 * a click be refused at once, before a person is asked to confirm what would be refused anyway.
 *
 * @example
 * actionRefusal(verifyingRelease, 'rollback', stranger) // { reason: 'not-authorized', message: '…' }
 */
export function actionRefusal(
  release: Release,
  action: PersonAction,
  actor: Actor,
): { readonly reason: Refusal; readonly message: string } | null {
  const result = transition(release, personEvent(action, actor), release.updatedAt);
  return result.ok ? null : { reason: result.reason, message: result.message };
}

/** A person in every approver role, who is neither the requester nor anyone who already approved. */
function entitledApprover(release: Release): Actor {
  const taken = new Set([release.requestedBy.id, ...release.approvals.map((approval) => approval.by)]);
  const id = [...release.policy.approvers, 'U0ANYAPPROVER'].find((candidate) => !taken.has(candidate));
  return { kind: 'person', id: id ?? 'U0ANYAPPROVER', groups: release.policy.approverGroups };
}

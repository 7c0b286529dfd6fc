import { assertNever } from './plan';
import type { Actor, Refusal, Release, ReleaseState } from './types';
import { TERMINAL_STATES } from './types';

export function isTerminal(state: ReleaseState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function isRollingBack(state: ReleaseState): boolean {
  return state === 'rollingBack' || state === 'rollbackFailed';
}

/** A release holds its service's lock until it is terminal, including while a failed rollback waits for retry. */
export function holdsServiceLock(state: ReleaseState): boolean {
  return !isTerminal(state);
}

function isApprover(release: Release, actor: Actor): boolean {
  if (actor.kind !== 'person') return false;
  if (release.policy.approvers.includes(actor.id)) return true;
  return (actor.groups ?? []).some((group) => release.policy.approverGroups.includes(group));
}

/**
 * Who may press Promote (or Reject): an approver, and not the requester when the service wants four eyes.
 *
 * @example
 * approvalRefusal(release, { kind: 'person', id: 'U_STRANGER' }) // 'not-authorized'
 */
export function approvalRefusal(release: Release, actor: Actor): Refusal | null {
  if (!isApprover(release, actor)) return 'not-authorized';
  if (release.policy.fourEyes && actor.id === release.requestedBy.id) return 'requester-cannot-approve';
  if (release.approvals.some((a) => a.by === actor.id)) return 'already-approved';
  return null;
}

/**
 * Who may stop a release (abort, roll back, retry a rollback): its requester and its approvers.
 * Stopping is the safe direction, so four eyes does not apply.
 *
 * @example
 * stopRefusal(release, release.requestedBy) // null
 */
export function stopRefusal(release: Release, actor: Actor): Refusal | null {
  if (actor.kind === 'person' && actor.id === release.requestedBy.id) return null;
  return isApprover(release, actor) ? null : 'not-authorized';
}

export function refusalMessage(refusal: Refusal): string {
  switch (refusal) {
    case 'not-authorized':
      return 'You are not an approver for this service.';
    case 'requester-cannot-approve':
      return 'This service needs four eyes: someone other than the requester must approve.';
    case 'already-approved':
      return 'You already approved this release.';
    case 'not-awaiting-approval':
      return 'This release is not waiting for approval.';
    case 'release-finished':
      return 'This release already ended.';
    case 'already-rolling-back':
      return 'This release is already rolling back.';
    case 'not-rollback-failed':
      return 'Only a failed rollback can be retried.';
    default:
      return assertNever(refusal);
  }
}

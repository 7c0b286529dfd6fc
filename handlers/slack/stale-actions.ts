import { failedMember } from '../../adapters/slack-presentation/card-group-steps';
import { escapedNames, reasonPhrase } from '../../adapters/slack-presentation/card-parts';
import { actorName, mention, slackTime } from '../../adapters/slack-presentation/mrkdwn';
import { availableActions, type CardAction } from '../../adapters/slack-presentation/release-card';
import { isRollingBack, isTerminal } from '../../domain/policies';
import type { HistoryEntry, Release } from '../../domain/types';
import { STATE_WORDS } from '../../domain/words';

/**
 * Why a click (or a /canary promote|rollback|abort|retry) on `release` no longer applies, from its history;
 * null when the action is still available.
 *
 * @example
 * staleActionExplanation(stoppingMirrorRelease, history, 'promote')
 * // 'Already promoted: approved by <@UANA> at <!date^1700000000^{time}|22:13 UTC>.'
 */
export function staleActionExplanation(
  release: Release,
  history: readonly HistoryEntry[],
  action: CardAction,
): string | null {
  if (availableActions(release).includes(action)) return null;
  const shown = escapedNames(release);
  const state = STATE_WORDS[release.state];
  if (isTerminal(release.state)) return `This release already ended: ${endedPhrase(shown, history)}.`;
  if (isRollingBack(release.state)) return rollingBackExplanation(shown, history, action);
  // Forward states offer rollback and abort, so only promote and retry can be stale here.
  if (action === 'retry')
    return `Nothing to retry: only a failed rollback can be retried, and this release is ${state}.`;
  if (release.plan.some((step, index) => index > release.cursor && step.kind === 'approval')) {
    return `Not waiting for approval yet: the release is ${state}; Promote comes back when it is.`;
  }
  const approval = lastApproval(release, history);
  return approval
    ? `Already promoted: approved by ${approval}.`
    : `No approval needed: the release is ${state}.`;
}

function endedPhrase(release: Release, history: readonly HistoryEntry[]): string {
  const at = slackTime(history.findLast((entry) => entry.to === release.state)?.at ?? release.updatedAt);
  if (release.state === 'succeeded') {
    const approval = lastApproval(release, history);
    return `it succeeded at ${at}${approval ? `, approved by ${approval}` : ''}`;
  }
  return `rolled back at ${at}${release.rollback ? `, after ${reasonPhrase(release.rollback.reason, failedMember(release))}` : ''}`;
}

function rollingBackExplanation(
  release: Release,
  history: readonly HistoryEntry[],
  action: CardAction,
): string {
  const rollback = release.rollback;
  const started = rollback
    ? `${reasonPhrase(rollback.reason, failedMember(release))} at ${slackTime(rollback.startedAt)}`
    : 'a rollback';
  if (action === 'retry') {
    const retried = history.findLast((entry) => entry.cause === 'rollbackRetried');
    return retried
      ? `Already retried by ${actorName(retried.actor)} at ${slackTime(retried.at)}; the rollback is running again.`
      : `The rollback is still running (${started}); Retry rollback appears only if it fails.`;
  }
  const failed =
    release.state === 'rollbackFailed' ? ' The rollback failed: press Retry rollback to run it again.' : '';
  return `Already rolling back: ${started}.${failed}`;
}

/** Who approved last and when: from the history (the accepted event), else from the release. */
function lastApproval(release: Release, history: readonly HistoryEntry[]): string | null {
  const entry = history.findLast((e) => e.cause === 'approved');
  if (entry) return `${actorName(entry.actor)} at ${slackTime(entry.at)}`;
  const approval = release.approvals[release.approvals.length - 1];
  return approval ? `${mention(approval.by)} at ${slackTime(approval.at)}` : null;
}

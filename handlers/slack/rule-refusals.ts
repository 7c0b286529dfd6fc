import { escapedNames } from '../../adapters/slack-presentation/card-parts';
import { actorName, escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import type { CardAction } from '../../adapters/slack-presentation/release-card';
import type { Refusal, Release } from '../../domain/types';
import { peopleText, type SlackPerson } from './access-answers';

/** Each action as it follows "may": `may roll back orders-api 1.4.2`. */
const VERBS: Readonly<Record<CardAction, string>> = {
  promote: 'promote',
  rollback: 'roll back',
  abort: 'abort',
  retry: 'retry the rollback of',
};

/**
 * A refusal by a rule about people, naming the rule and who it lets act on this release (users mentioned, user
 * groups by handle); null for any other refusal (the release moved on), which the history explains better.
 *
 * @example
 * await ruleRefusalText(release, 'not-authorized', 'rollback', stranger)
 * // 'Only the requester (<@U0ANA>) or an approver (<@U0BOB>) may roll back *orders-api* 1.4.2 (release `orders-api-r12`).'
 */
export async function ruleRefusalText(
  release: Release,
  reason: Refusal,
  action: CardAction,
  who: SlackPerson,
): Promise<string | null> {
  const shown = escapedNames(release);
  const what = `*${shown.service}* ${shown.toVersion} (release \`${escapeMrkdwn(release.id)}\`)`;
  const { approvers: users, approverGroups: groups } = release.policy;
  const none = users.length + groups.length === 0;
  const approvers = none ? '' : await peopleText({ users, groups }, who);
  switch (reason) {
    case 'not-authorized':
      if (action === 'promote')
        return none
          ? `Nobody may promote ${what}: the service names no approvers.`
          : `Only an approver (${approvers}) may promote ${what}.`;
      return none
        ? `Only the requester (${actorName(release.requestedBy)}) may ${VERBS[action]} ${what}: the service names no approvers.`
        : `Only the requester (${actorName(release.requestedBy)}) or an approver (${approvers}) may ${VERBS[action]} ${what}.`;
    case 'requester-cannot-approve':
      return `*${shown.service}* needs four eyes: you started ${what}, so another approver (${approvers}) must promote it.`;
    case 'already-approved':
      return `You already approved ${what}: each approval needs a different approver (${approvers}).`;
    default:
      return null;
  }
}

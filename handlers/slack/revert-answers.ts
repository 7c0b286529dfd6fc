import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { channelLink, escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import type { Message } from '../../adapters/slack-presentation/release-card';
import { revertConfirm } from '../../adapters/slack-presentation/revert-confirm';
import type { RevertOutcome } from '../../app/revert-release';
import { groupsToResolve } from '../../domain/access';
import type { Actor } from '../../domain/types';
import type { Requester, SlackDeps } from './command-answers';
import { unknownServiceText } from './service-answers';

const RELEASE_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

/**
 * `/canary revert <service>`: every refusal at once, as text; otherwise a confirm button whose dialog names both
 * versions. Nothing changes until the button is pressed.
 *
 * @example
 * await answerRevert(deps, 'orders-api', who) // { text: 'Revert orders-api from 1.4.2 to 1.4.1?', blocks: […] }
 */
export async function answerRevert(
  deps: SlackDeps,
  service: string,
  who: Requester,
): Promise<string | Message> {
  const requestedBy = await approverActor(deps, service, who);
  const preview = await deps.service.previewRevert({ service, requestedBy });
  if (!preview.ok && preview.reason === 'unknown-service')
    return unknownServiceText(deps.configs, service, '');
  if (!preview.ok) return refusedText(preview, service);
  return revertConfirm(preview.target, preview.release);
}

/** The confirm button: revert exactly the release the dialog named, or say why not, to the clicker only. */
export async function revertClick(
  deps: SlackDeps,
  who: Requester,
  targetReleaseId: string | undefined,
): Promise<string> {
  if (targetReleaseId === undefined || !RELEASE_ID.test(targetReleaseId))
    return 'This button is not one of ours.';
  const target = await deps.store.load(targetReleaseId);
  if (target === null) return 'This button names a release the agent does not know (any more).';
  const requestedBy = await approverActor(deps, target.service, who);
  const outcome = await deps.service.revert({
    service: target.service,
    requestedBy,
    targetReleaseId,
    requestId: who.requestId,
  });
  if (!outcome.ok) return refusedText(outcome, target.service);
  const { release } = outcome;
  return `Reverting *${escapeMrkdwn(release.service)}* ${escapeMrkdwn(release.fromVersion)} → ${escapeMrkdwn(release.toVersion)}. The card in ${channelLink(release.policy.channel)} follows it.`;
}

/** A Bolt listener for the confirm button: acknowledge, revert, and answer in place of the confirm message. */
export async function revertAction(
  deps: SlackDeps,
  requester: (userId: string, requestId: string) => Requester,
  { ack, action, body, respond }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs,
): Promise<void> {
  await ack();
  const text = await revertClick(deps, requester(body.user.id, `slack:${body.trigger_id}`), action.value);
  await respond({ response_type: 'ephemeral', replace_original: true, text });
}

/** The person, with the service's approver groups they belong to (asked of Slack only when it matters). */
async function approverActor(deps: SlackDeps, service: string, who: Requester): Promise<Actor> {
  const found = await deps.configs.get(service);
  const approvers = found?.ok ? found.config.approvals : { users: [], groups: [] };
  const groups = await who.groupsAmong(groupsToResolve(approvers, who.userId));
  return { kind: 'person', id: who.userId, groups };
}

function refusedText(outcome: Extract<RevertOutcome, { ok: false }>, service: string): string {
  switch (outcome.reason) {
    case 'release-busy':
      return `${escapeMrkdwn(outcome.message)}\nA revert waits for it: see it with \`/canary status ${service}\`.`;
    case 'duplicate-request':
      return 'This request was already handled: see the release card in the channel.';
    case 'nothing-to-revert':
      return `${escapeMrkdwn(outcome.message)} \`/canary history ${service}\` shows how its releases ended.`;
    default:
      return escapeMrkdwn(outcome.message);
  }
}

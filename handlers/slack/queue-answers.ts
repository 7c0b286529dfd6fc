import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { queuedLine, queuedOfButton } from '../../adapters/slack-presentation/card-queue';
import { actorName, escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import type { StartResult } from '../../app/start-release';
import { groupsToResolve } from '../../domain/access';
import type { QueuedStart } from '../../domain/queue';
import type { Release } from '../../domain/types';
import { peopleText } from './access-answers';
import type { Requester, SlackDeps } from './command-answers';
import { unknownServiceText } from './service-answers';

/*
 * The start queue in Slack: the answer to a `/canary start` that was queued, `/canary cancel` and the card's Cancel
 * button, and the queued starts in `/canary list` and `/canary status`.
 */

/**
 * The answer to a start that waits for the running release: what is queued, behind what, what it replaced, and
 * how to cancel it.
 *
 * @example
 * queuedAnswer(result) // 'Queued *orders-api* *1.4.3* by <@U0ANA> …: it starts when release `orders-api-r1` ends …'
 */
export function queuedAnswer(result: Extract<StartResult, { reason: 'queued' }>): string {
  const { queued, replaced } = result;
  const service = escapeMrkdwn(queued.service);
  const replaces = replaced
    ? ` It replaces ${escapeMrkdwn(replaced.toVersion)} queued by ${actorName(replaced.requestedBy)}.`
    : '';
  return `Queued *${service}* ${queuedLine(queued)}: it starts when release \`${escapeMrkdwn(queued.behind)}\` ends, with every check of a start made again then.${replaces}\nCancel it with \`/canary cancel ${service}\` (or the button on the card).`;
}

/**
 * `/canary cancel <service>`, or the card's Cancel button (`releaseId`: the queued start it was shown for). The
 * person's groups are asked of Slack only among the service's approver groups, and only when not listed by name.
 */
export async function answerCancel(
  deps: SlackDeps,
  service: string,
  who: Requester,
  releaseId?: string,
): Promise<string> {
  const found = await deps.configs.get(service);
  if (found === null) return unknownServiceText(deps.configs, service, '');
  const approvers = found.ok ? found.config.approvals : { users: [], groups: [] };
  const groups = await who.groupsAmong(groupsToResolve(approvers, who.userId));
  const result = await deps.service.cancelQueued({
    service,
    actor: { kind: 'person', id: who.userId, groups },
    ...(releaseId === undefined ? {} : { releaseId }),
  });
  const name = `*${escapeMrkdwn(service)}*`;
  if (result.ok) {
    return `Cancelled the queued start of ${name} ${queuedLine(result.queued)}. The card in the channel says so.`;
  }
  if (result.reason === 'nothing-queued') {
    return `No start of ${name} is queued (any more): \`/canary status ${escapeMrkdwn(service)}\` shows where it stands.`;
  }
  const { queued } = result;
  const approverText =
    result.approvers.users.length + result.approvers.groups.length > 0
      ? ` or an approver of ${name} (${await peopleText(result.approvers, who)})`
      : '';
  return `Only ${actorName(queued.requestedBy)}, who queued it,${approverText} may cancel the queued start of ${name} ${escapeMrkdwn(queued.toVersion)}.`;
}

/** The card's Cancel button: acknowledged at once, answered to the clicker only. */
export async function cancelQueuedClick(
  deps: SlackDeps,
  requester: (userId: string, requestId: string) => Requester,
  { ack, action, body, respond }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs,
): Promise<void> {
  await ack();
  const target = queuedOfButton(action.value);
  const text = target
    ? await answerCancel(
        deps,
        target.service,
        requester(body.user.id, `slack:${body.trigger_id}`),
        target.releaseId,
      )
    : 'This button is not one of ours.';
  await respond({ response_type: 'ephemeral', replace_original: false, text });
}

/**
 * The queued starts, for `/canary list`: one line each, with the release each waits for.
 *
 * @example
 * queuedLines(queued) // '*Queued to start next*\n• *orders-api* *1.4.3* by <@U0ANA> …, after release `orders-api-r1`'
 */
export function queuedLines(queued: readonly QueuedStart[]): string {
  if (queued.length === 0) return '';
  const lines = [...queued]
    .sort((a, b) => a.service.localeCompare(b.service))
    .map(
      (q) => `• *${escapeMrkdwn(q.service)}* ${queuedLine(q)}, after release \`${escapeMrkdwn(q.behind)}\``,
    );
  return `\n*Queued to start next*\n${lines.join('\n')}`;
}

/** The queued start under `/canary status <service>`, and when it will start. */
export function queuedStatus(queued: QueuedStart | null, latest: Release): string {
  if (queued === null) return '';
  const when =
    latest.state === 'rollbackFailed'
      ? 'it waits for a person: the rollback failed, and it starts only once a retried rollback ends'
      : 'it starts when this release ends';
  return `\nQueued next: ${queuedLine(queued)}; ${when}. \`/canary cancel ${escapeMrkdwn(queued.service)}\` cancels it.`;
}

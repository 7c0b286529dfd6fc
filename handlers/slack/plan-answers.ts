import { escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import { planPreviewMessage } from '../../adapters/slack-presentation/plan-preview';
import type { Message } from '../../adapters/slack-presentation/release-card';
import { groupsToResolve } from '../../domain/access';
import { deniedText } from './access-answers';
import type { CanaryCommand } from './canary-command';
import { USAGE_LINES } from './canary-usage';
import type { Requester, SlackDeps } from './command-answers';
import { unknownServiceText } from './service-answers';
import { optionWords } from './start-options';

type PlanCommand = Extract<CanaryCommand, { kind: 'plan' }>;

/**
 * `/canary plan`: the release `start` would make with the same words, surveyed and not saved, with a Run button
 * that carries those words when nothing stops it; or why there is no plan at all.
 *
 * @example
 * await answerPlan(deps, { kind: 'plan', service: 'orders-api', version: '1.4.2' }, who)
 * // { text: 'Plan for orders-api 1.4.1 → 1.4.2: it can run', blocks: […] }
 */
export async function answerPlan(
  deps: SlackDeps,
  command: PlanCommand,
  who: Requester,
): Promise<string | Message> {
  const { service, version, percent, windowSeconds, strategy } = command;
  // As for a start: the person's user groups are asked of Slack only when the service names requester groups.
  const found = await deps.configs.get(service);
  const requesters = found?.ok ? found.config.requesters : { users: [], groups: [] };
  const groups = await who.groupsAmong(groupsToResolve(requesters, who.userId));
  const result = await deps.plans.preview({
    service,
    toVersion: version,
    requestedBy: { kind: 'person', id: who.userId, groups },
    ...(who.channelId ? { channel: who.channelId } : {}),
    strategy,
    percent,
    windowSeconds,
  });
  if (!result.ok && result.reason === 'unknown-service')
    return unknownServiceText(deps.configs, service, 'If it is new, ask your platform team to add it.');
  if (!result.ok)
    return `⛔ This plan cannot run: ${escapeMrkdwn(result.message)}\nUsage: \`${USAGE_LINES.plan[0]}\``;
  const denied = result.preview.blockers.find((blocker) => blocker.kind === 'denied');
  return planPreviewMessage(result.preview, {
    ...(denied?.kind === 'denied' ? { deniedText: await deniedText(service, denied.denial, who) } : {}),
    runValue: [service, version, ...optionWords({ percent, windowSeconds, strategy })].join(' '),
  });
}

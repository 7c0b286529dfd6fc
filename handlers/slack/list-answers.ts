import { clip, escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import type { ListRequestResult, RoutingListRequests } from '../../app/routing-list-requests';
import { groupsToResolve } from '../../domain/access';
import type { ServiceConfigs } from '../../domain/ports';
import { MAX_LIST_CHARS, type RoutingListName, type StoredList } from '../../domain/routing-lists';
import { peopleText, type SlackPerson } from './access-answers';
import type { ListCommand } from './list-command';
import { listName } from './list-command';
import { unknownServiceText } from './service-answers';

/*
 * The answers to `/canary vip …` and `/canary tester …`. Entries have passed the strict patterns; they are still
 * shown as escaped inline code, like everything a person typed.
 */

const LIST_OF = { vip: 'vips', tester: 'testers' } as const satisfies Record<
  ListCommand['kind'],
  RoutingListName
>;
const ROUTE = { vip: 'pinned to stable', tester: 'sent to the canary' } as const;
const entryText = (entry: string) => `\`${escapeMrkdwn(clip(entry, 130))}\``;

/** Answers one list command for `who`, resolving their user groups only among the service's approvers. */
export async function answerListCommand(
  deps: { readonly lists: RoutingListRequests; readonly configs: ServiceConfigs },
  command: ListCommand,
  who: SlackPerson,
): Promise<string> {
  if (command.action === 'list') return listsText(deps, command);
  const editors = await deps.lists.editors(command.service);
  const groups = editors ? await who.groupsAmong(groupsToResolve(editors, who.userId)) : [];
  const change = {
    service: command.service,
    list: LIST_OF[command.kind],
    action: command.action,
    entry: command.entry,
    by: who.userId,
  };
  const result = await deps.lists.request(change, { kind: 'person', id: who.userId, groups });
  return changeAnswer(deps.configs, { ...command, entry: command.entry }, result, who);
}

async function changeAnswer(
  configs: ServiceConfigs,
  command: Extract<ListCommand, { action: 'add' | 'remove' }>,
  result: ListRequestResult,
  who: SlackPerson,
): Promise<string> {
  const [service, list, entry] = [
    `*${escapeMrkdwn(command.service)}*`,
    listName(command.kind),
    entryText(command.entry),
  ];
  if (result.ok) {
    if (!result.changed) {
      return command.action === 'add'
        ? `${entry} is already among the ${list} of ${service}: nothing to change.`
        : `${entry} is not among the ${list} of ${service}: nothing to remove. See them with \`/canary ${command.kind} list ${command.service}\`.`;
    }
    const what =
      command.action === 'add'
        ? `Adding ${entry} to the ${list} of ${service} (${ROUTE[command.kind]})`
        : `Removing ${entry} from the ${list} of ${service}`;
    const hosts = result.routingRelease
      ? `The release routing users now (\`${escapeMrkdwn(result.routingRelease)}\`) gets it on its stable hosts in a few seconds, without a restart.`
      : 'No steps release routes users now: the next one takes the list with its first step.';
    return `${what}. ${hosts} Check with \`/canary ${command.kind} list ${command.service}\`.`;
  }
  switch (result.reason) {
    case 'unknown-service':
      return unknownServiceText(configs, command.service, '');
    case 'invalid-config':
      return `${service}’s configuration does not parse, so it has no approvers to trust with its lists: fix it first (see \`/canary services\`).`;
    case 'not-authorized':
      return `You may not change the ${list} of ${service}: only its approvers, ${await peopleText(result.allowed, who)}, may. Ask one of them.`;
    case 'bad-entry':
      return `${escapeMrkdwn(result.problem)} Type e.g. \`/canary ${command.kind} ${command.action} ${command.service} u-1234\`.`;
    case 'list-full':
      return `The ${list} of ${service} are full: with ${entry} they would take ${result.chars.toLocaleString('en-US')} characters, and a Standard parameter holds ${MAX_LIST_CHARS.toLocaleString('en-US')}. Remove entries first (\`/canary ${command.kind} remove ${command.service} ‹entry›\`), or list a network instead of its addresses.`;
  }
}

/** `/canary vip list orders-api`: both lists, what each does, and where they apply now. */
async function listsText(
  deps: { readonly lists: RoutingListRequests; readonly configs: ServiceConfigs },
  command: ListCommand,
): Promise<string> {
  const shown = await deps.lists.show(command.service);
  if (!shown.ok) return unknownServiceText(deps.configs, command.service, '');
  const service = `*${escapeMrkdwn(command.service)}*`;
  const where = shown.routingRelease
    ? `A steps release routes users now (\`${escapeMrkdwn(shown.routingRelease)}\`): its stable hosts have these lists.`
    : 'No steps release routes users now: the next one takes these lists with its first step.';
  return [
    `*Live routing lists of ${service}*, beside the VIP and tester rules its configuration names:`,
    listLine('VIPs', ROUTE.vip, shown.lists.vips),
    listLine('Testers', ROUTE.tester, shown.lists.testers),
    where,
    `Change them with \`/canary ${command.kind} add|remove ${command.service} ‹entry›\` (approvers only).`,
  ].join('\n');
}

function listLine(title: string, route: string, list: StoredList): string {
  const entries = list.entries.length > 0 ? list.entries.map(entryText).join(', ') : 'none';
  const size = `${list.entries.join(',').length.toLocaleString('en-US')} of ${MAX_LIST_CHARS.toLocaleString('en-US')} characters`;
  const skipped =
    list.unreadable.length > 0
      ? `\n  ⚠️ Left out (not valid entries, or past the limit): ${list.unreadable.slice(0, 10).map(entryText).join(', ')}`
      : '';
  return `• *${title}* (${route}): ${entries} (${size})${skipped}`;
}

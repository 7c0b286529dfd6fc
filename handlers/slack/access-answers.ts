import { actorName, clip, escapeMrkdwn, mention } from '../../adapters/slack-presentation/mrkdwn';
import type { FreezeResult, FreezeService } from '../../app/freeze-service';
import {
  EVERY_SERVICE,
  type Freeze,
  groupsToResolve,
  type People,
  type StartDenial,
} from '../../domain/access';
import type { ServiceConfigs } from '../../domain/ports';
import type { CanaryCommand } from './canary-command';
import { unknownServiceText } from './service-answers';

/*
 * The Slack side of "who may start, from where" and of change freezes: refusals that name who may (users
 * mentioned, user groups by handle in code so that a refusal never pings a whole group) and where, and the
 * answers to `/canary freeze` and `/canary unfreeze`.
 */

/** What answering needs to know about the person and where they typed, resolved lazily against Slack. */
export interface SlackPerson {
  readonly userId: string;
  /** Which of these user groups the person belongs to (asked of Slack only when needed). */
  readonly groupsAmong: (groupIds: readonly string[]) => Promise<readonly string[]>;
  /** The groups' handles (`release-managers`), to name a group without mentioning it; ids stand in on failure. */
  readonly groupHandles: (groupIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}

type FreezeCommand = Extract<CanaryCommand, { kind: 'freeze' | 'unfreeze' }>;

/** Why `/canary start` was refused by the access policy, with who may start and from where. */
export async function deniedText(service: string, denial: StartDenial, who: SlackPerson): Promise<string> {
  const name = `*${escapeMrkdwn(service)}*`;
  switch (denial.reason) {
    case 'not-a-requester':
      return `You may not start ${name}: only ${await peopleText(denial.requesters, who)} may. Ask one of them to start it.`;
    case 'pipeline-not-allowed':
      return `Only the pipelines ${denial.pipelines.map((p) => `\`${escapeMrkdwn(p)}\``).join(', ')} may start ${name}.`;
    case 'wrong-channel':
      return `${name} is started from ${denial.channels.map((c) => `<#${c}>`).join(' or ')} only: type the command there.`;
    case 'frozen':
      return `${name} is frozen, so no release of it starts:\n${denial.freezes.map((f) => `• ${freezeLine(f)}`).join('\n')}\nIt starts again once lifted with \`/canary unfreeze ${denial.freezes[0]?.scope === EVERY_SERVICE ? 'all' : service}\`.`;
  }
}

/** `every service, frozen by @ana on 22 Nov 14:02 UTC: "quarter close"` */
export function freezeLine(freeze: Freeze): string {
  const what = freeze.scope === EVERY_SERVICE ? '*every service*' : `*${escapeMrkdwn(freeze.scope)}*`;
  const why = freeze.reason ? `: “${escapeMrkdwn(clip(freeze.reason, 200))}”` : ' (no reason given)';
  return `${what}, frozen by ${actorName(freeze.by)} ${slackDate(freeze.at)}${why}`;
}

/** Answers `/canary freeze` and `/canary unfreeze`, resolving the person's groups only among those that matter. */
export async function answerFreeze(
  { freezes, configs }: { readonly freezes: FreezeService; readonly configs: ServiceConfigs },
  command: FreezeCommand,
  who: SlackPerson,
): Promise<string> {
  const scope = command.target === 'all' ? EVERY_SERVICE : command.target;
  const allowed = await freezes.allowedFor(scope);
  if (!allowed.ok) return unknownService(configs, command.target);
  const groups = await who.groupsAmong(groupsToResolve(allowed.allowed, who.userId));
  const actor = { kind: 'person', id: who.userId, groups } as const;
  const result =
    command.kind === 'freeze'
      ? await freezes.freeze({ scope, actor, ...(command.reason ? { reason: command.reason } : {}) })
      : await freezes.unfreeze({ scope, actor });
  return freezeAnswer(command, result, who, configs);
}

async function freezeAnswer(
  command: FreezeCommand,
  result: FreezeResult,
  who: SlackPerson,
  configs: ServiceConfigs,
): Promise<string> {
  const target = command.target === 'all' ? '*every service*' : `*${escapeMrkdwn(command.target)}*`;
  if (result.ok) {
    return command.kind === 'freeze'
      ? `Froze ${target}: no release starts until \`/canary unfreeze ${command.target}\`. Releases already running go on.`
      : `Lifted the freeze on ${target} (${freezeLine(result.freeze)}). Releases may start again.`;
  }
  switch (result.reason) {
    case 'unknown-service':
      return unknownService(configs, command.target);
    case 'not-authorized': {
      const allowed = result.allowed ?? { users: [], groups: [] };
      return `You may not ${command.kind} ${target}: only ${await peopleText(allowed, who)} may.`;
    }
    case 'already-frozen':
      return `${target} is already frozen: ${result.freeze ? freezeLine(result.freeze) : ''}. That freeze is kept.`;
    case 'not-frozen':
      return `${target} is not frozen${command.target === 'all' ? ' as a whole (single services may be: see `/canary list`)' : ''}.`;
  }
}

function unknownService(configs: ServiceConfigs, target: string): Promise<string> {
  return unknownServiceText(configs, target, 'To freeze every service: `/canary freeze all`.');
}

/** Users mentioned, user groups named by handle in code (never `<!subteam^…>`, which would ping the group). */
export async function peopleText(people: People, who: SlackPerson): Promise<string> {
  const handles =
    people.groups.length > 0 ? await who.groupHandles(people.groups) : new Map<string, string>();
  const users = people.users.map(mention);
  const groups = people.groups.map(
    (id) => `members of \`@${escapeMrkdwn(clip(handles.get(id) ?? id, 80)).replaceAll('`', '')}\``,
  );
  const all = [...users, ...groups];
  if (all.length === 0) return 'nobody (no one is configured)';
  return all.length === 1 ? (all[0] as string) : `${all.slice(0, -1).join(', ')} or ${all.at(-1)}`;
}

/** A date and time token Slack shows in the reader's time zone, with UTC as the fallback text. */
function slackDate(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return escapeMrkdwn(clip(at, 40));
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^on {date_short} at {time}|on ${fallback}>`;
}

import { channelLink, duration, escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import type { GroupStartResult } from '../../app/start-group';
import { groupsToResolve, type StartDenial, startRefusal } from '../../domain/access';
import { servicesOf } from '../../domain/group';
import { describeStrategy } from '../../domain/release-request';
import type { ConfigResult } from '../../domain/service-config';
import type { Actor, Release } from '../../domain/types';
import { deniedText } from './access-answers';
import { USAGE_LINES } from './canary-usage';
import type { Requester, SlackDeps } from './command-answers';
import type { GroupStartWords } from './group-command';
import { unknownServiceText } from './service-answers';
import { releaseLine } from './summaries';

/*
 * The answer to `/canary start` for a group: what started, member by member, or why not, naming the member a
 * refusal is about. The engine's refusals are plain text; those about one member are rendered here as `start`
 * renders them for one service.
 */

/** A member as its configuration was found before the start: `null` when none is stored. */
interface KnownMember {
  readonly service: string;
  readonly found: ConfigResult | null;
}

type Refused = Extract<GroupStartResult, { ok: false }>;

/**
 * Starts the group the command names, as the person who typed it, and says how that went.
 *
 * @example
 * await answerStartGroup(deps, { kind: 'startGroup', members: [front, orders] }, who)
 * // 'Started a group release: *front* 2.0.0 → 2.0.1, *orders-api* 1.4.1 → 1.4.2. …'
 */
export async function answerStartGroup(
  deps: SlackDeps,
  command: GroupStartWords,
  who: Requester,
): Promise<string> {
  const known = await knownMembers(deps, command);
  // The person's user groups matter only where a member names requester groups and not the person.
  const asked = known.flatMap((m) =>
    m.found?.ok ? groupsToResolve(m.found.config.requesters, who.userId) : [],
  );
  const groups = asked.length > 0 ? await who.groupsAmong([...new Set(asked)]) : [];
  const actor: Actor = { kind: 'person', id: who.userId, groups };
  const result = await deps.service.startGroup({
    ...(command.group ? { group: command.group } : {}),
    versions: command.members,
    requestedBy: actor,
    ...(who.channelId ? { channel: who.channelId } : {}),
    ...(command.steps ? { steps: command.steps } : {}),
    ...(command.windowSeconds ? { windowSeconds: command.windowSeconds } : {}),
    requestId: who.requestId,
  });
  if (result.ok) return groupStarted(result.release);
  return (await memberRefusal(deps, result, { known, actor, who })) ?? refusedText(result);
}

/** The members a command names: its own words, or the configured group's entry and downstream services. */
async function knownMembers(deps: SlackDeps, command: GroupStartWords): Promise<readonly KnownMember[]> {
  if (command.group === undefined) {
    return Promise.all(
      command.members.map(async ({ service }) => ({ service, found: await deps.configs.get(service) })),
    );
  }
  const { services } = await deps.configs.list();
  const entry = services.find(
    ({ config }) => config.ok && config.config.groups.some((g) => g.name === command.group),
  );
  const group = entry?.config.ok
    ? entry.config.config.groups.find((g) => g.name === command.group)
    : undefined;
  if (entry === undefined || group === undefined) return [];
  return [entry.service, ...group.downstream].map((service) => ({
    service,
    found: services.find((listed) => listed.service === service)?.config ?? null,
  }));
}

function groupStarted(release: Release): string {
  const group = release.group;
  const members = (group?.members ?? []).map(
    (m) => `*${escapeMrkdwn(m.service)}* ${escapeMrkdwn(m.fromVersion)} → ${escapeMrkdwn(m.toVersion)}`,
  );
  const what = group?.name ? `the group *${escapeMrkdwn(group.name)}*` : 'a group release';
  const entry = escapeMrkdwn(release.service);
  const window =
    release.strategy.kind === 'steps'
      ? `, each step watched for ${duration(release.strategy.bakeSeconds)}`
      : '';
  return `Started ${what}: ${members.join(', ')}. *${entry}* sends users down the new path ${describeStrategy(release.strategy)}${window}. Follow it in ${channelLink(release.policy.channel)}.`;
}

/** The refusals about one member, rendered as `start` renders them; null for the others. */
async function memberRefusal(
  deps: SlackDeps,
  result: Refused,
  asked: { known: readonly KnownMember[]; actor: Actor; who: Requester },
): Promise<string | null> {
  switch (result.reason) {
    case 'duplicate-request':
      return 'This request was already handled: see the release card in the channel.';
    case 'release-busy':
      return busyText(deps, result, asked.known);
    case 'unknown-service': {
      const missing = asked.known.find((m) => m.found === null);
      return missing
        ? unknownServiceText(deps.configs, missing.service, 'If it is new, ask your platform team to add it.')
        : null;
    }
    case 'not-a-requester':
    case 'pipeline-not-allowed':
    case 'wrong-channel':
    case 'frozen': {
      const denied = await deniedMember(deps, asked);
      return denied ? deniedText(denied.service, denied.denial, asked.who) : null;
    }
    default:
      return null;
  }
}

/**
 * Which member the access policy refused, and how: the domain's rule asked again, member by member in the
 * engine's order, because the engine's refusal names the member only in its text.
 */
async function deniedMember(
  deps: SlackDeps,
  { known, actor, who }: { known: readonly KnownMember[]; actor: Actor; who: Requester },
): Promise<{ service: string; denial: StartDenial } | null> {
  for (const { service, found } of known) {
    if (!found?.ok) continue;
    const request = { actor, ...(who.channelId ? { channel: who.channelId } : {}) };
    const denial = startRefusal(found.config, request, await deps.store.freezesOf(service));
    if (denial !== null) return { service, denial };
  }
  return null;
}

/** A busy member: which, the release that holds it, and how to see or stop that release. */
async function busyText(deps: SlackDeps, result: Refused, known: readonly KnownMember[]): Promise<string> {
  const holder = result.activeReleaseId ? await deps.store.load(result.activeReleaseId) : null;
  const held = holder ? servicesOf(holder) : [];
  const member = known.find((m) => held.includes(m.service))?.service;
  if (holder === null || member === undefined) {
    return `${escapeMrkdwn(result.message)}\nA group is never queued: \`/canary list\` shows what runs; start the group again once it ends.`;
  }
  const [name, owner] = [escapeMrkdwn(member), escapeMrkdwn(holder.service)];
  return [
    `*${name}* is busy, so the group did not start (a group is never queued): release \`${escapeMrkdwn(holder.id)}\` holds it.`,
    `• ${releaseLine(holder)}`,
    `See it with \`/canary status ${owner}\`, or stop it with \`/canary abort ${owner}\`; then start the group again.`,
  ].join('\n');
}

function refusedText(result: Refused): string {
  return `${escapeMrkdwn(result.message)}\nUsage: \`${USAGE_LINES.startGroup[0]}\``;
}

import { escapedNames } from '../../adapters/slack-presentation/card-parts';
import { channelLink, escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import type { CardAction, Message } from '../../adapters/slack-presentation/release-card';
import type { FreezeService } from '../../app/freeze-service';
import type { PlanPreviews } from '../../app/preview-start';
import type { ApplyResult, ReleaseService } from '../../app/release-service';
import type { RoutingListRequests } from '../../app/routing-list-requests';
import type { StartResult } from '../../app/start-release';
import { groupsToResolve } from '../../domain/access';
import { personEvent } from '../../domain/person-actions';
import type { ReleaseStore, ServiceConfigs } from '../../domain/ports';
import { describeStrategy } from '../../domain/release-request';
import type { Actor, Release } from '../../domain/types';
import { answerFreeze, deniedText, freezeLine, type SlackPerson } from './access-answers';
import type { CanaryCommand } from './canary-command';
import { USAGE, USAGE_LINES } from './canary-usage';
import { answerStartGroup } from './group-answers';
import { answerListCommand } from './list-answers';
import { answerPlan } from './plan-answers';
import { answerCancel, queuedAnswer, queuedLines, queuedStatus } from './queue-answers';
import { answerRevert } from './revert-answers';
import { ruleRefusalText } from './rule-refusals';
import { servicesText, unknownServiceText } from './service-answers';
import { staleActionExplanation } from './stale-actions';
import { historyLines, releaseLine, statusText } from './summaries';

/** What the Slack layer needs from the agent: the release use cases (handing effects off) and read access. */
export interface SlackDeps {
  readonly service: ReleaseService;
  readonly store: ReleaseStore;
  readonly configs: ServiceConfigs;
  readonly freezes: FreezeService;
  /** `/canary plan`: a start planned and surveyed, never saved. */
  readonly plans: PlanPreviews;
  /** `/canary vip` and `/canary tester`: the live routing lists, read here and changed by the `effects` function. */
  readonly lists: RoutingListRequests;
}

export interface Requester extends SlackPerson {
  /** The delivery's id (Slack's trigger id), so a retried request changes nothing twice. */
  readonly requestId: string;
  /** The channel a command was typed in, or a plan's Run button pressed in (absent for the card's buttons). */
  readonly channelId?: string;
}

/**
 * Answers one parsed `/canary` command with the ephemeral text its author sees. Refusals are answers, not
 * errors: each says what was wrong and what to type instead.
 *
 * @example
 * await answerCommand(deps, { kind: 'list' }, requester) // "*Releases in progress*\n• orders-api 1.4.1 → 1.4.2 …"
 */
export async function answerCommand(
  deps: SlackDeps,
  command: CanaryCommand,
  who: Requester,
): Promise<string | Message> {
  switch (command.kind) {
    case 'help':
      return USAGE;
    case 'list':
      return listActive(deps);
    case 'services':
      return servicesText(deps.configs);
    case 'freeze':
    case 'unfreeze':
      return answerFreeze(deps, command, who);
    case 'vip':
    case 'tester':
      return answerListCommand(deps, command, who);
    case 'status':
      return command.service ? statusOf(deps, command.service) : listActive(deps);
    case 'history':
      return historyOf(deps, command.service);
    case 'revert':
      return answerRevert(deps, command.service, who);
    case 'cancel':
      return answerCancel(deps, command.service, who);
    case 'start':
      return start(deps, command, who);
    case 'startGroup':
      return answerStartGroup(deps, command, who);
    case 'plan':
      return answerPlan(deps, command, who);
    case 'promote':
    case 'rollback':
    case 'abort':
    case 'retry':
      return act(deps, command.service, command.kind, who);
  }
}

async function start(
  deps: SlackDeps,
  command: Extract<CanaryCommand, { kind: 'start' }>,
  who: Requester,
): Promise<string> {
  // The person's user groups matter only when the service names requester groups and not the person.
  const found = await deps.configs.get(command.service);
  const requesters = found?.ok ? found.config.requesters : { users: [], groups: [] };
  const groups = await who.groupsAmong(groupsToResolve(requesters, who.userId));
  const result = await deps.service.start({
    service: command.service,
    toVersion: command.version,
    requestedBy: { kind: 'person', id: who.userId, groups },
    ...(who.channelId ? { channel: who.channelId } : {}),
    strategy: command.strategy,
    percent: command.percent,
    windowSeconds: command.windowSeconds,
    requestId: who.requestId,
  });
  if (result.ok) return started(result);
  if (result.reason === 'queued') return queuedAnswer(result);
  if (result.denial) return deniedText(command.service, result.denial, who);
  if (result.reason === 'unknown-service')
    return unknownServiceText(
      deps.configs,
      command.service,
      'If it is new, ask your platform team to add it.',
    );
  return startRefused(result, command.service);
}

function started(result: Extract<StartResult, { ok: true }>): string {
  const release = escapedNames(result.release);
  return `Started *${release.service}* ${release.fromVersion} → ${release.toVersion}, ${describeStrategy(release.strategy)}. Follow it in ${channelLink(release.policy.channel)}.`;
}

function startRefused(result: Extract<StartResult, { ok: false }>, service: string): string {
  switch (result.reason) {
    case 'release-busy':
      return `${escapeMrkdwn(result.message)}\nSee it with \`/canary status ${service}\`, or stop it with \`/canary abort ${service}\`.`;
    case 'duplicate-request':
      return 'This request was already handled: see the release card in the channel.';
    default:
      return `${escapeMrkdwn(result.message)}\nUsage: \`${USAGE_LINES.start[0]}\``;
  }
}

async function act(deps: SlackDeps, service: string, action: CardAction, who: Requester): Promise<string> {
  const releaseId = await deps.store.activeReleaseId(service);
  if (releaseId === null) return noActiveRelease(deps, service);
  const result = await applyAction(deps, releaseId, action, who);
  return result.ok ? accepted(result, action) : await refusalText(deps, result, action, who);
}

/** Applies a person's action (a command or a button) to a release, with the person's approver groups. */
export async function applyAction(
  deps: SlackDeps,
  releaseId: string,
  action: CardAction,
  who: Requester,
): Promise<ApplyResult> {
  const release = await deps.store.load(releaseId);
  const actor = await personOn(release, who);
  return deps.service.apply(releaseId, personEvent(action, actor), who.requestId);
}

/** The person acting on `release`, with its approver groups they belong to (asked of Slack only when it matters). */
export async function personOn(release: Release | null, who: Requester): Promise<Actor> {
  const watchedGroups = release?.policy.approvers.includes(who.userId) ? [] : release?.policy.approverGroups;
  const groups = watchedGroups?.length ? await who.groupsAmong(watchedGroups) : [];
  return { kind: 'person', id: who.userId, groups };
}

/**
 * Why an action was refused: from the release's history when it was overtaken ("Already promoted by …"), else the
 * rule that refused, with who may.
 */
export async function refusalText(
  deps: SlackDeps,
  result: Pick<Extract<ApplyResult, { ok: false }>, 'release' | 'reason' | 'message'>,
  action: CardAction,
  who: SlackPerson,
): Promise<string> {
  const history = await deps.store.history(result.release.id);
  const stale = staleActionExplanation(result.release, history, action);
  if (stale !== null) return stale;
  return (await ruleRefusalText(result.release, result.reason, action, who)) ?? escapeMrkdwn(result.message);
}

export function accepted(result: Extract<ApplyResult, { ok: true }>, action: CardAction): string {
  if (!result.changed) return 'This request was already handled: see the release card in the channel.';
  const release = escapedNames(result.release);
  const what = {
    promote: 'Promoted',
    rollback: 'Rolling back',
    abort: 'Aborted',
    retry: 'Retrying the rollback of',
  };
  return `${what[action]} *${release.service}* ${release.fromVersion} → ${release.toVersion}. The card in ${channelLink(release.policy.channel)} follows it.`;
}

async function noActiveRelease(deps: SlackDeps, service: string): Promise<string> {
  // Whether the service is configured is all this answer needs: its configuration is not parsed.
  if (!(await deps.configs.exists(service))) return unknownServiceText(deps.configs, service, '');
  return `*${service}* has no release in progress. Start one with \`/canary start ${service} ‹version›\`.`;
}

async function listActive(deps: SlackDeps): Promise<string> {
  const [active, freezes, queued] = await Promise.all([
    deps.store.activeReleases(),
    deps.freezes.freezes(),
    deps.store.queuedStarts(),
  ]);
  // `*` sorts before any service name, so a freeze on every service comes first.
  const frozen = [...freezes].sort((a, b) => a.scope.localeCompare(b.scope)).map((f) => `• ${freezeLine(f)}`);
  const freezeText = `${queuedLines(queued)}${frozen.length > 0 ? `\n*Freezes in force*\n${frozen.join('\n')}` : ''}`;
  if (active.length === 0)
    return `No release is in progress. Start one with \`/canary start ‹service› ‹version›\`.${freezeText}`;
  const lines = [...active]
    .sort((a, b) => a.service.localeCompare(b.service))
    .map((release) => `• ${releaseLine(release)}`);
  return `*Releases in progress*\n${lines.join('\n')}${freezeText}`;
}

async function statusOf(deps: SlackDeps, service: string): Promise<string> {
  const [active, [recent], queued] = await Promise.all([
    deps.store.activeReleaseId(service).then((id) => (id === null ? null : deps.store.load(id))),
    deps.store.recentReleases(service, 1),
    deps.store.queuedStart(service),
  ]);
  // A group release is stored under its entry; its other members find it through the lock each of them holds.
  const latest = active ?? recent;
  if (latest === undefined) return noActiveRelease(deps, service);
  return `${statusText(latest)}${queuedStatus(queued, latest)}`;
}

async function historyOf(deps: SlackDeps, service: string): Promise<string> {
  const releases = await deps.store.recentReleases(service, 10);
  if (releases.length === 0) return noActiveRelease(deps, service);
  return historyLines(service, releases);
}

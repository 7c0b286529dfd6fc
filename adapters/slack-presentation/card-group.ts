import type { GroupMember, ReleaseGroup } from '../../domain/group';
import { versionsRunning } from '../../domain/group';
import { isRollingBack } from '../../domain/policies';
import type { Exposure } from '../../domain/rollback-types';
import type { Release, Step } from '../../domain/types';
import { operationWords } from '../../domain/words';
import { listed, named, promotionPlace, stepMember } from './card-group-steps';
import { shareText } from './card-parts';
import { joinWithin, LIMITS } from './mrkdwn';

/*
 * A group release's part of the card (issue 20): which services move together, what each one's role is, where each
 * one is, and, once the group ends, which version each one runs. Member names and versions come from commands and
 * the version registry, so every one is escaped here.
 */

/**
 * The group as people call it: its configured name, or its members joined in call order. Plain text (unescaped),
 * for the header; escape it for mrkdwn.
 *
 * @example
 * groupTitle(adHocGroup) // 'front + orders-api + payments'
 */
export function groupTitle(group: ReleaseGroup): string {
  return group.name ?? group.members.map((m) => m.service).join(' + ');
}

/** The header of a group's card: a named group says which services it holds. */
export function groupHeader(group: ReleaseGroup): string {
  const services = group.members.map((m) => m.service).join(' + ');
  return group.name === undefined ? services : `${group.name}: ${services}`;
}

/**
 * Each member with its versions, in call order, escaped: for one-line summaries.
 *
 * @example
 * groupVersionsText(group) // 'front 2.0.0 → 2.0.1 · orders-api 1.4.1 → 1.4.2 · payments 2.0.9 → 2.1.0'
 */
export function groupVersionsText(group: ReleaseGroup): string {
  return group.members
    .map((m) => `${named(m.service)} ${named(m.fromVersion)} → ${named(m.toVersion)}`)
    .join(' · ');
}

/** Whether the release recorded this exposure for this member (exposure marks are `<exposure>@<member>`). */
export function memberHas(release: Release, exposure: Exposure, service: string): boolean {
  return release.exposure.includes(`${exposure}@${service}`);
}

/**
 * The members section: each member in call order with its versions, its role, where it is, and the requests its
 * routing proxy sent to its canary by whether they came tagged. A downstream canary should only ever see tagged
 * requests: any untagged one reached it off the tagged path, and is flagged.
 *
 * @example
 * membersText(release)
 * // '*Members*, in call order\n1. *front* 2.0.0 → 2.0.1 · entry: colours requests · 🔀 routing 10% of users · 1,204 coloured here\n…'
 */
export function membersText(release: Release, group: ReleaseGroup): string {
  const lines = group.members.map((member, index) => {
    const role = index === 0 ? 'entry: colours requests' : 'downstream: routes tagged requests';
    const path = pathText(member, index === 0);
    const head = `${index + 1}. *${named(member.service)}* ${named(member.fromVersion)} → ${named(member.toVersion)}`;
    return [head, role, memberPhase(release, group, member, index === 0), ...(path ? [path] : [])].join(
      ' · ',
    );
  });
  return joinWithin(['*Members*, in call order', ...lines], LIMITS.section);
}

/** Whether the rollback put this member's previous version back on its stable fleet (its promotion had begun). */
function putBack(release: Release, service: string): boolean {
  return (release.rollback?.steps ?? []).some(
    (step) => step.kind === 'hostOperation' && step.operation === 'restoreStable' && step.member === service,
  );
}

const count = (n: number) => Math.max(0, Math.round(n)).toLocaleString('en-US');

function pathText(member: GroupMember, entry: boolean): string | null {
  const { path } = member;
  if (path === undefined) return null;
  if (entry) {
    const arrived = path.tagged > 0 ? ` (+ ${count(path.tagged)} arrived tagged)` : '';
    return `${count(path.untagged)} coloured here${arrived}`;
  }
  if (path.untagged <= 0) return `${count(path.tagged)} tagged · 0 untagged`;
  return `⚠️ ${count(path.tagged)} tagged · *${count(path.untagged)} untagged*: requests reached its canary off the tagged path`;
}

/** Where one member is: what it is doing now, else what it has done that still stands. */
function memberPhase(release: Release, group: ReleaseGroup, member: GroupMember, entry: boolean): string {
  const { service } = member;
  const from = named(member.fromVersion);
  if (member.settled) {
    return release.state === 'succeeded'
      ? '✅ promoted'
      : `✅ promoted (settled): stays on ${named(member.toVersion)}`;
  }
  if (release.state === 'rolledBack' || release.state === 'succeeded') {
    return putBack(release, service) ? `↩️ put back on ${from}` : `↩️ stayed on ${from}`;
  }
  const running = isRollingBack(release.state) ? undefined : release.plan[release.cursor];
  const now = stepMember(running) === service ? nowWords(release, group, running, service) : null;
  if (now !== null) return now;
  if (memberHas(release, 'stablePromoted', service)) {
    return isRollingBack(release.state) ? `🔄 promoted: ${from} goes back` : '📦 promoted, not settled yet';
  }
  if (memberHas(release, 'stableProxied', service)) {
    if (isRollingBack(release.state)) return '🔄 routing: being taken out';
    return entry ? `🔀 routing ${shareText(release)}` : '🔀 routing tagged requests';
  }
  if (memberHas(release, 'canaryDeployed', service)) {
    return isRollingBack(release.state) ? '🔄 canary deployed: being removed' : '🚀 canary deployed';
  }
  return isRollingBack(release.state) ? `↩️ on ${from}` : '○ waiting for its canary';
}

/** What the running plan step does to its member, in a few words. */
function nowWords(
  release: Release,
  group: ReleaseGroup,
  step: Step | undefined,
  service: string,
): string | null {
  if (step?.kind === 'validate') return `🍞 baking now ${promotionPlace(group, service)}`;
  if (step?.kind !== 'hostOperation') return null;
  switch (step.operation) {
    case 'deployCanary':
      return '🚀 deploying its canary now';
    case 'shiftTraffic':
      return service === release.service
        ? `🔀 routing now: ${shareText(release)}`
        : '🔀 routing being set up';
    case 'promote':
      return `📦 promoting now ${promotionPlace(group, service)}`;
    case 'stopMirror':
      return '🔌 routing being taken out';
    case 'removeCanary':
      return '🧹 removing its canary';
    default:
      return `▶ ${operationWords(step.operation, step.fleet, named(service))}`;
  }
}

/**
 * Which version each member runs once the group ended, in promotion order: the members whose promotion stood, then
 * those on their previous versions. A failed rollback reads the same facts as recorded so far.
 *
 * @example
 * runningText(rolledBackAfterPayments)
 * // '*Now*: payments runs 2.1.0 (new); orders-api and front run their previous versions 1.4.1, 2.0.0.'
 */
export function runningText(release: Release, group: ReleaseGroup): string {
  const running = versionsRunning(group);
  const ordered = group.promotionOrder.flatMap((s) => running.filter((r) => r.service === s));
  const rest = running.filter((r) => !group.promotionOrder.includes(r.service));
  const all = [...ordered, ...rest];
  const fresh = all.filter((r) => r.isNew);
  const old = all.filter((r) => !r.isNew);
  const parts = [
    fresh.length === 1 && fresh[0]
      ? `${named(fresh[0].service)} runs ${named(fresh[0].version)} (new)`
      : fresh.length > 1
        ? `${listed(fresh.map((r) => named(r.service)))} run their new versions ${fresh.map((r) => named(r.version)).join(', ')}`
        : '',
    old.length === 1 && old[0]
      ? `${named(old[0].service)} runs its previous version ${named(old[0].version)}`
      : old.length > 1
        ? `${listed(old.map((r) => named(r.service)))} run their previous versions ${old.map((r) => named(r.version)).join(', ')}`
        : '',
  ].filter((part) => part !== '');
  const label = release.state === 'rollbackFailed' ? '*As recorded so far*' : '*Now*';
  return `${label}: ${parts.join('; ')}.`;
}

/**
 * What a halted group rollback may have left, member by member, from the exposure marks: each member undoes
 * exactly what it did, so each is named with what it may still have.
 *
 * @example
 * groupExposureLeft(release) // ['the stable hosts of payments may still serve through the agent\'s proxy', …]
 */
export function groupExposureLeft(release: Release, group: ReleaseGroup): string[] {
  const having = (exposure: Exposure) =>
    group.members.filter((m) => memberHas(release, exposure, m.service)).map((m) => named(m.service));
  const proxied = having('stableProxied');
  const promoted = group.members.filter((m) => memberHas(release, 'stablePromoted', m.service));
  const canaries = having('canaryDeployed');
  return [
    proxied.length > 0
      ? `the stable hosts of ${listed(proxied)} may still serve through the agent's proxy`
      : '',
    ...promoted.map((m) => `the stable fleet of ${named(m.service)} may still run ${named(m.toVersion)}`),
    canaries.length === 1 ? `the canary of ${listed(canaries)} may still be running` : '',
    canaries.length > 1 ? `the canaries of ${listed(canaries)} may still be running` : '',
  ].filter((part) => part !== '');
}

import { memberOf, type ReleaseGroup } from '../../domain/group';
import { formatPercent } from '../../domain/plan';
import type { Release } from '../../domain/types';
import { memberHas } from './card-group';
import { listed, named, promotionPlace, stepMember } from './card-group-steps';
import { shareIndex, shareText } from './card-parts';
import { batchText } from './card-states';

/**
 * The state line of a group's card, naming the member the running step acts on; null where the one-service words
 * (card-states.ts) already fit a group, as "Inconclusive" or "ROLLBACK FAILED" do.
 *
 * @example
 * groupStatePhrase(promotingOrders, group) // 'Promoting orders-api 1.4.2 on its stable fleet (member 2 of 3), batch by batch'
 */
export function groupStatePhrase(release: Release, group: ReleaseGroup): string | null {
  const service = stepMember(release.plan[release.cursor]);
  const member = service === undefined ? undefined : memberOf(release, service);
  const name = named(service ?? '');
  const to = named(member?.toVersion ?? '');
  switch (release.state) {
    case 'deployingCanary':
      return `Deploying the canaries, downstream first: ${name} ${to} now (${canaryPlace(group, service)})`;
    case 'shiftingTraffic':
      return service === release.service
        ? `Routing: ${name} colours ${shareText(release)}; their requests take the new versions end to end`
        : `Routing, downstream first: ${name} sends tagged requests to its canary and the rest to stable`;
    case 'verifying':
      return `Verifying: ${shareText(release)} take the new versions end to end; every member's alarms must stay quiet`;
    case 'awaitingApproval':
      return `Waiting for approval: press Promote to ${nextMove(release, group)}`;
    case 'promoting':
      return `Promoting ${name} ${to} on its stable fleet ${promotionPlace(group, service ?? '')}, batch by batch${batchText(release)}`;
    case 'baking':
      return `Baking ${name} ${to} on its stable fleet ${promotionPlace(group, service ?? '')}: if alarms fire now, ${name} goes back to ${named(member?.fromVersion ?? '')}${settledWords(group)}`;
    case 'restoringProxy':
      return `Taking the routing out, downstream first: the stable hosts of ${name} go back on their own nginx`;
    case 'cleaningUp':
      return `Removing the canaries, downstream first: ${name} now`;
    case 'rollingBack':
      return `Rolling back the group: ${undoWords(release, group)}`;
    case 'succeeded':
      return 'Succeeded: every member runs its new version';
    case 'rolledBack':
      return group.members.some((m) => m.settled)
        ? 'Rolled back what was not promoted: the members whose promotion stood keep their new versions'
        : 'Rolled back: every member runs its previous version';
    default:
      return null;
  }
}

/** Canaries go out downstream first: the last member in call order is the first canary. */
function canaryPlace(group: ReleaseGroup, service: string | undefined): string {
  const index = group.members.findIndex((m) => m.service === service);
  return `canary ${group.members.length - index} of ${group.members.length}`;
}

/** What Promote does next: a share of its own (a step approved on its own), or the promotions in order. */
function nextMove(release: Release, group: ReleaseGroup): string {
  const next = release.plan[release.cursor + 1];
  const percent =
    release.strategy.kind === 'steps' ? release.strategy.steps[shareIndex(release) + 1] : undefined;
  if (next?.kind === 'hostOperation' && next.operation === 'shiftTraffic' && percent !== undefined) {
    return `colour ${formatPercent(percent)}% of users`;
  }
  return `promote the members one by one: ${group.promotionOrder.map(named).join(', ')}`;
}

function settledWords(group: ReleaseGroup): string {
  const settled = group.members.filter((m) => m.settled).map((m) => named(m.service));
  if (settled.length === 0) return '';
  return `; ${listed(settled)} ${settled.length === 1 ? 'stays on its new version' : 'stay on their new versions'}`;
}

/** What the rollback does to each member, in call order: kept, put back, or left as it was. */
function undoWords(release: Release, group: ReleaseGroup): string {
  return group.members
    .map((m) => {
      const name = named(m.service);
      if (m.settled) return `${name} stays on ${named(m.toVersion)} (promoted)`;
      if (memberHas(release, 'stablePromoted', m.service)) return `${name} gets ${named(m.fromVersion)} back`;
      return `${name} keeps ${named(m.fromVersion)}`;
    })
    .join('; ');
}

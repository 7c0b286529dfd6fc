import { groupTitle, groupVersionsText } from '../../adapters/slack-presentation/card-group';
import { escapedNames } from '../../adapters/slack-presentation/card-parts';
import { actorName, escapeMrkdwn, mention, slackTime } from '../../adapters/slack-presentation/mrkdwn';
import { describeStrategy } from '../../domain/release-request';
import type { Release } from '../../domain/types';
import { STATE_WORDS } from '../../domain/words';

/**
 * One line about a release, for lists.
 *
 * @example
 * releaseLine(release) // "*orders-api* 1.4.1 → 1.4.2: waiting for approval, mirroring 10%, started by <@UANA> at <!date^…>"
 */
export function releaseLine(stored: Release): string {
  const release = escapedNames(stored);
  return `${whatMoves(release)}: ${STATE_WORDS[release.state]}, ${describeStrategy(release.strategy)}, started by ${actorName(release.requestedBy)} ${slackTime(release.requestedAt)}`;
}

/**
 * The service and its versions, or a group with every member's: each member's lock points to the group, so
 * `/canary status payments` answers with the whole group.
 *
 * @example
 * whatMoves(groupRelease) // '*checkout* (group) front 2.0.0 → 2.0.1 · orders-api 1.4.1 → 1.4.2'
 */
function whatMoves(release: Release): string {
  const { group } = release;
  if (group === undefined) return `*${release.service}* ${release.fromVersion} → ${release.toVersion}`;
  return `*${escapeMrkdwn(groupTitle(group))}* (group) ${groupVersionsText(group)}`;
}

/**
 * The answer to `/canary status <service>`: the service's newest release, where it is, and what can be done.
 *
 * @example
 * statusText(release) // "*orders-api* 1.4.1 → 1.4.2: waiting for approval …\nNext: `/canary promote orders-api` …"
 */
export function statusText(release: Release): string {
  const lines = [
    releaseLine(release),
    `Release \`${escapeMrkdwn(release.id)}\`, last change ${slackTime(release.updatedAt)}.`,
  ];
  const next = nextSteps(release);
  if (next) lines.push(`Next: ${next}`);
  return lines.join('\n');
}

function nextSteps(release: Release): string | null {
  const s = escapeMrkdwn(release.service);
  switch (release.state) {
    case 'awaitingApproval':
      return `an approver types \`/canary promote ${s}\` or presses Promote on the card.`;
    case 'inconclusive':
      return `no data proved the canary healthy: \`/canary rollback ${s}\`, or an approver promotes anyway.`;
    case 'rollbackFailed':
      return `fix the host, then \`/canary retry ${s}\` or press Retry rollback on the card.`;
    case 'succeeded':
    case 'rolledBack':
    case 'rollingBack':
      return null;
    default:
      return `wait, or stop it with \`/canary abort ${s}\`.`;
  }
}

/**
 * The answer to `/canary history <service>`: its recent releases, newest first.
 *
 * @example
 * historyLines('orders-api', releases) // "*orders-api, last 2 releases*\n• 1.4.1 → 1.4.2 *rolled back* …"
 */
export function historyLines(service: string, releases: readonly Release[]): string {
  const lines = releases
    .map(escapedNames)
    .map(
      (r) =>
        `• ${r.group ? `${whatMoves(r)},` : `${r.fromVersion} → ${r.toVersion}`} *${STATE_WORDS[r.state]}*, ${describeStrategy(r.strategy)}, started by ${actorName(r.requestedBy)} ${slackTime(r.requestedAt)}${r.approvals.length ? `, approved by ${r.approvals.map((a) => mention(a.by)).join(', ')}` : ''}`,
    );
  const count = releases.length === 1 ? 'last release' : `last ${releases.length} releases`;
  return `*${escapeMrkdwn(service)}, ${count}*\n${lines.join('\n')}`;
}

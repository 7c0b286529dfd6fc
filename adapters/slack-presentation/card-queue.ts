import type { KnownBlock } from '@slack/types';
import { formatPercent } from '../../domain/plan';
import { isTerminal } from '../../domain/policies';
import type { QueuedStart } from '../../domain/queue';
import type { Release } from '../../domain/types';
import { actorName, clip, escapeMrkdwn, LIMITS, slackTime } from './mrkdwn';

/** The `action_id` of the card's button that cancels the start queued behind its release. */
export const CANCEL_QUEUED_ACTION_ID = 'canary_cancel_queued';

/**
 * The queued start a Cancel button was for, from its value (`<service> <reserved release id>`); null when the
 * value is not one the card wrote.
 *
 * @example
 * queuedOfButton('orders-api orders-api-r2') // { service: 'orders-api', releaseId: 'orders-api-r2' }
 */
export function queuedOfButton(value: string | undefined): { service: string; releaseId: string } | null {
  const match = /^([a-z][a-z0-9-]{1,39}) ([a-z0-9][a-z0-9-]{0,80})$/.exec(value ?? '');
  return match?.[1] && match[2] ? { service: match[1], releaseId: match[2] } : null;
}

/**
 * A queued start in a line of mrkdwn: version, who queued it and when, and the options asked for.
 *
 * @example
 * queuedLine(queued) // '*1.4.3* by <@U0ANA> <!date^…>, strategy=steps:10,100 window=15m'
 */
export function queuedLine(queued: QueuedStart): string {
  const { strategy, percent, windowSeconds } = queued;
  const options = [
    strategy === undefined ? '' : `strategy=${strategyWords(strategy)}`,
    percent === undefined ? '' : `mirror=${formatPercent(percent)}`,
    windowSeconds === undefined ? '' : `window=${typedDuration(windowSeconds)}`,
  ].filter((option) => option !== '');
  const asked = options.length > 0 ? `, ${escapeMrkdwn(options.join(' '))}` : '';
  return `*${escapeMrkdwn(clip(queued.toVersion, 80))}* by ${actorName(queued.requestedBy)} ${slackTime(queued.queuedAt)}${asked}`;
}

/** Seconds as `/canary start` takes them: `15m`, `2h`, `90s`. */
function typedDuration(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  return seconds > 0 && seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

function strategyWords(strategy: NonNullable<QueuedStart['strategy']>): string {
  switch (strategy.kind) {
    case 'mirror':
      return 'mirror';
    case 'blueGreen':
      return 'blue-green';
    case 'steps': {
      const steps = strategy.steps ? `:${strategy.steps.map(formatPercent).join(',')}` : '';
      return `${strategy.mirrorFirst ? 'mirror,' : ''}steps${steps}`;
    }
  }
}

/**
 * The running release's card says what is queued behind it, when it will start, and offers to cancel it. A
 * release that ended shows nothing: its successor has its own card.
 *
 * @example
 * queuedBlocks(rollbackFailedRelease, queued) // [section 'Queued next: 1.4.3 by @ana … waits for a person', actions]
 */
export function queuedBlocks(release: Release, queued: QueuedStart | null): KnownBlock[] {
  if (queued === null || queued.service !== release.service || isTerminal(release.state)) return [];
  const when =
    release.state === 'rollbackFailed'
      ? 'It waits for a person: it starts only once this release’s rollback is retried and ends.'
      : 'It starts when this release ends (not if its rollback fails).';
  const text = `⏭️ *Queued next:* ${queuedLine(queued)}\n${when}`;
  const label = `Cancel queued ${queued.toVersion}`;
  return [
    { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.section) } },
    {
      type: 'actions',
      block_id: `queue:${queued.releaseId}`.slice(0, LIMITS.blockId),
      elements: [
        {
          type: 'button',
          action_id: CANCEL_QUEUED_ACTION_ID,
          text: { type: 'plain_text', text: clip(label, LIMITS.button), emoji: true },
          value: `${queued.service} ${queued.releaseId}`,
        },
      ],
    },
  ];
}

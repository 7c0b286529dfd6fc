import type { KnownBlock } from '@slack/types';
import { describeStrategy } from '../../domain/release-request';
import type { Release } from '../../domain/types';
import { escapedNames } from './card-parts';
import { clip, escapeMrkdwn, LIMITS, slackTime } from './mrkdwn';
import { type Message, section } from './release-card';

/** The `action_id` of the confirm button `/canary revert` answers with; its value is the reverted release's id. */
export const REVERT_ACTION_ID = 'canary_revert';

/**
 * The ephemeral answer to `/canary revert`: what would be put back, and a button whose confirm dialog names both
 * versions. `planned` is the revert as the engine would start it now (not saved).
 *
 * @example
 * revertConfirm(succeeded141to142, plannedRevert).blocks.at(-1) // { type: 'actions', elements: [{ action_id: 'canary_revert', … }] }
 */
export function revertConfirm(target: Release, planned: Release): Message {
  const shown = escapedNames(planned);
  const how = describeStrategy(planned.strategy);
  const headline = `Revert *${shown.service}* from ${shown.fromVersion} to ${shown.toVersion}?`;
  const detail = `This undoes release ${escapeMrkdwn(target.id)} (succeeded, started ${slackTime(target.requestedAt)}): ${escapeMrkdwn(how)}. It shows on a card like any release.`;
  const { service, fromVersion, toVersion } = planned;
  const dialogText =
    planned.strategy.kind === 'revert' && planned.strategy.colours
      ? `The listener goes back to ${planned.strategy.colours.to}, which still runs ${toVersion}; ${planned.strategy.colours.from} keeps ${fromVersion}. All traffic moves at once, without a canary or a validation window.`
      : `${toVersion} replaces ${fromVersion} on ${service}'s stable fleet, in the promotion's batches, without a canary or a validation window.`;
  const blocks: KnownBlock[] = [
    section(`${headline}\n${detail}`),
    {
      type: 'actions',
      block_id: `revert:${target.id}`.slice(0, LIMITS.blockId),
      elements: [
        {
          type: 'button',
          action_id: REVERT_ACTION_ID,
          value: target.id,
          style: 'danger',
          text: plain(`Revert to ${toVersion}`, LIMITS.button),
          confirm: {
            title: plain(`Revert ${service} to ${toVersion}?`, LIMITS.confirmTitle),
            text: plain(`${service}: ${fromVersion} → ${toVersion}. ${dialogText}`, LIMITS.confirmText),
            confirm: plain('Revert', LIMITS.confirmButton),
            deny: plain(`Keep ${fromVersion}`, LIMITS.confirmButton),
            style: 'danger',
          },
        },
      ],
    },
  ];
  return {
    text: clip(`Revert ${shown.service} from ${shown.fromVersion} to ${shown.toVersion}?`, LIMITS.text),
    blocks,
  };
}

function plain(text: string, max: number) {
  return { type: 'plain_text', text: clip(text, max) || ' ', emoji: true } as const;
}

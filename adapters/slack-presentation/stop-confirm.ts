import type { KnownBlock } from '@slack/types';
import type { Release } from '../../domain/types';
import { escapedNames } from './card-parts';
import { promoted } from './card-states';
import { clip, LIMITS } from './mrkdwn';
import { type Message, section } from './release-card';

/** The actions that stop a release, which a person confirms after the agent checked they may. */
export type StopAction = 'rollback' | 'abort';

/**
 * The `action_id` of the button in the confirm step; its value is the release id. The card's own Roll back and
 * Abort buttons carry no Slack confirm dialog: the agent first checks that the clicker may stop the release, and
 * only then asks, so nobody confirms what would be refused.
 *
 * @example
 * CONFIRMED_ACTION_IDS.rollback // 'canary_rollback_confirmed'
 */
export const CONFIRMED_ACTION_IDS: Readonly<Record<StopAction, string>> = Object.freeze({
  rollback: 'canary_rollback_confirmed',
  abort: 'canary_abort_confirmed',
});

/**
 * The stop action a confirm button stands for, or null for any other `action_id`.
 *
 * @example
 * confirmedActionOf('canary_abort_confirmed') // 'abort'
 */
export function confirmedActionOf(actionId: string): StopAction | null {
  if (actionId === CONFIRMED_ACTION_IDS.rollback) return 'rollback';
  return actionId === CONFIRMED_ACTION_IDS.abort ? 'abort' : null;
}

/**
 * The ephemeral confirm step after a permitted click on Roll back or Abort: what stopping does, and one button
 * that does it. Ignoring the message keeps the release running.
 *
 * @example
 * stopConfirm('rollback', verifying).text // 'Roll back orders-api to 1.4.1?'
 */
export function stopConfirm(action: StopAction, release: Release): Message {
  const { service, fromVersion: from, toVersion: to } = escapedNames(release);
  const undo = `stop all traffic to the canary, ${promoted(release) ? 'put' : 'keep'} ${from} on the stable fleet and remove the canary`;
  const [question, effect, label] =
    action === 'abort'
      ? [
          `Abort *${service}* ${to}?`,
          `This stops releasing ${to} now and undoes it: ${undo}.`,
          'Abort release',
        ]
      : [`Roll back *${service}* to ${from}?`, `This rolls ${service} back now: ${undo}.`, 'Roll back'];
  const blocks: KnownBlock[] = [
    section(`${question}\n${effect}\nNothing happens unless you press *${label}*.`),
    {
      type: 'actions',
      block_id: `confirm:${release.id}`.slice(0, LIMITS.blockId),
      elements: [
        {
          type: 'button',
          action_id: CONFIRMED_ACTION_IDS[action],
          value: release.id,
          style: 'danger',
          text: { type: 'plain_text', text: clip(label, LIMITS.button), emoji: true },
        },
      ],
    },
  ];
  return { text: clip(question.replaceAll('*', ''), LIMITS.text), blocks };
}

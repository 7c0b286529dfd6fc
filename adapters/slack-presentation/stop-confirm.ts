import type { KnownBlock } from '@slack/types';
import type { Release } from '../../domain/types';
import { escapedNames, noDataNames } from './card-parts';
import { promoted } from './card-states';
import { clip, escapeMrkdwn, LIMITS } from './mrkdwn';
import { type Message, section } from './release-card';

/** The actions that stop a release, which a person confirms after the agent checked they may. */
export type StopAction = 'rollback' | 'abort';
/** Those, and Promote on a window that ended without a verdict (no data, or a marginal score). */
export type ConfirmedAction = StopAction | 'promote';

/**
 * The `action_id` of the button in the confirm step; its value is the release id. The card's own Roll back and
 * Abort buttons carry no Slack confirm dialog: the agent first checks that the clicker may stop the release, and
 * only then asks, so nobody confirms what would be refused.
 *
 * @example
 * CONFIRMED_ACTION_IDS.rollback // 'canary_rollback_confirmed'
 */
export const CONFIRMED_ACTION_IDS: Readonly<Record<ConfirmedAction, string>> = Object.freeze({
  rollback: 'canary_rollback_confirmed',
  abort: 'canary_abort_confirmed',
  promote: 'canary_promote_confirmed',
});

/**
 * The stop action a confirm button stands for, or null for any other `action_id`.
 *
 * @example
 * confirmedActionOf('canary_abort_confirmed') // 'abort'
 */
export function confirmedActionOf(actionId: string): ConfirmedAction | null {
  const found = Object.entries(CONFIRMED_ACTION_IDS).find(([, id]) => id === actionId);
  return found ? (found[0] as ConfirmedAction) : null;
}

/**
 * The ephemeral confirm step after a permitted click on Roll back or Abort: what stopping does, and one button
 * that does it. Ignoring the message keeps the release running.
 *
 * @example
 * stopConfirm('rollback', verifying).text // 'Roll back orders-api to 1.4.1?'
 */
export function stopConfirm(action: ConfirmedAction, release: Release): Message {
  if (action === 'promote') return promoteConfirm(release);
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
  return confirmStep(release, action, question, effect, label);
}

/**
 * Promote on a held window, pressed by someone who may approve: the data the window did not have, or the score,
 * and one button that promotes anyway.
 */
function promoteConfirm(release: Release): Message {
  const { toVersion: to } = escapedNames(release);
  const run = release.run?.kind === 'inconclusive' ? release.run : undefined;
  const pass = release.policy.analysis?.settings.thresholds.pass;
  const [question, effect] = run?.marginal
    ? [
        `Promote ${to} on a marginal score?`,
        `The canary scored ${run.marginal.score} against stable, under the ${pass ?? ''} a pass needs: ${escapeMrkdwn(clip(run.marginal.reason, 300))}.`,
      ]
    : [
        `Promote ${to} without data?`,
        `The window ended with no data from ${noDataNames(run?.noData ?? [])}: nothing showed that ${to} is healthy.`,
      ];
  return confirmStep(release, 'promote', question, effect, 'Promote anyway');
}

function confirmStep(
  release: Release,
  action: ConfirmedAction,
  question: string,
  effect: string,
  label: string,
): Message {
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
          style: action === 'promote' ? 'primary' : 'danger',
          text: { type: 'plain_text', text: clip(label, LIMITS.button), emoji: true },
        },
      ],
    },
  ];
  return { text: clip(question.replaceAll('*', ''), LIMITS.text), blocks };
}

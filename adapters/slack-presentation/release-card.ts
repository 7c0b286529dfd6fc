import type { Button, KnownBlock, MrkdwnElement, PlainTextElement } from '@slack/types';
import { allowedActions, PERSON_ACTIONS, type PersonAction } from '../../domain/person-actions';
import { formatPercent } from '../../domain/plan';
import { isRollingBack, isTerminal } from '../../domain/policies';
import type { QueuedStart } from '../../domain/queue';
import { describeStrategy } from '../../domain/release-request';
import { hasExposure } from '../../domain/rollback-types';
import type { Instant, Release, UndoStep } from '../../domain/types';
import { operationWords } from '../../domain/words';
import { evidenceText } from './card-evidence';
import { groupExposureLeft, groupHeader, groupTitle, membersText, runningText } from './card-group';
import { groupStatePhrase } from './card-group-states';
import { failedMember } from './card-group-steps';
import { failedHostsText } from './card-hosts';
import {
  alarmsText,
  escapedNames,
  fleetText,
  reasonPhrase,
  shareIndex,
  timelineText,
  warningsText,
  windowLine,
} from './card-parts';
import { queuedBlocks } from './card-queue';
import { colours, promoted, STATES } from './card-states';
import { actorName, clip, duration, escapeMrkdwn, joinWithin, LIMITS, mention, slackTime } from './mrkdwn';

/**
 * What a person can do to a release from its card (or the matching `/canary` command): the domain's person actions.
 *
 * @example
 * const action: CardAction = actionOf(payload.actions[0].action_id) ?? 'abort';
 */
export type CardAction = PersonAction;
export type Message = { readonly text: string; readonly blocks: readonly KnownBlock[] };

/** In the order the buttons appear: the way forward first, the destructive ones last. */
const ACTIONS = PERSON_ACTIONS;

/**
 * The `action_id` of each card button; the Slack handler routes clicks by them.
 *
 * @example
 * ACTION_IDS.promote // 'canary_promote'
 */
export const ACTION_IDS: Readonly<Record<CardAction, string>> = Object.freeze({
  promote: 'canary_promote',
  rollback: 'canary_rollback',
  abort: 'canary_abort',
  retry: 'canary_retry',
});

/**
 * The card action an `action_id` stands for, or null for one that is not ours.
 *
 * @example
 * actionOf('canary_abort') // 'abort'
 */
export function actionOf(actionId: string): CardAction | null {
  return ACTIONS.find((action) => ACTION_IDS[action] === actionId) ?? null;
}

/**
 * The buttons the card shows: the actions the engine would accept now from someone entitled to them
 * (`allowedActions` asks `transition` itself, so a button shows only when pressing it can be accepted).
 *
 * @example
 * availableActions(awaitingApprovalRelease) // ['promote', 'rollback', 'abort']
 */
export function availableActions(release: Release): readonly CardAction[] {
  return allowedActions(release);
}

/**
 * The release's one living message, rebuilt from the release on every change and updated in place. Pure:
 * `now` (the engine's clock) comes in for the time left in a validation window, and `speedUp` for a clock whose
 * timers fire that many times early (the sandbox's), and `queued` for the start queued behind the release (kept
 * apart from it in the store). Every text is cut to Block Kit's limits, so no release, however odd, makes Slack
 * refuse the update.
 *
 * @example
 * const { text, blocks } = releaseCard(release, now);
 * await client.chat.update({ channel, ts, text, blocks: [...blocks] });
 */
export function releaseCard(
  release: Release,
  now: Instant,
  speedUp = 1,
  queued: QueuedStart | null = null,
): Message {
  const shown = escapedNames(release);
  const { group } = release;
  const optional = (text: string | null) => (text === null ? [] : [section(text)]);
  const footer = `Release ${escapeMrkdwn(release.id)} · last change ${slackTime(release.updatedAt)}`;
  const title = group
    ? groupHeader(group)
    : `${release.service} ${release.fromVersion} → ${release.toVersion}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(title, LIMITS.header) },
    section(stateText(release, now, speedUp)),
    ...(group ? [section(membersText(release, group))] : []),
    { type: 'section', fields: fieldsOf(shown).map((field) => mrkdwn(field, LIMITS.field)) },
    section(timelineText(shown)),
    ...optional(fleetText(shown)),
    ...optional(failedHostsText(release)),
    section(alarmsText(shown)),
    ...optional(evidenceText(release)),
    ...optional(warningsText(shown)),
    ...actionsBlock(release),
    ...queuedBlocks(release, queued),
    { type: 'divider' },
    { type: 'context', elements: [mrkdwn(footer, LIMITS.field)] },
  ];
  const [emoji] = STATES[release.state];
  const what = group
    ? escapeMrkdwn(groupTitle(group))
    : `${shown.service} ${shown.fromVersion} → ${shown.toVersion}`;
  const text = `${emoji} ${what}: ${statePhrase(release)}`;
  return { text: clip(text, LIMITS.text), blocks: blocks.slice(0, LIMITS.blocks) };
}

/** The state in words; a group's name the member its running step acts on. */
function statePhrase(release: Release): string {
  const [, phrase] = STATES[release.state];
  const grouped = release.group ? groupStatePhrase(release, release.group) : null;
  return grouped ?? phrase(escapedNames(release));
}

function stateText(release: Release, now: Instant, speedUp: number): string {
  const [emoji] = STATES[release.state];
  const lines = [`${emoji} *${statePhrase(release)}*`, windowLine(release, now, speedUp) ?? ''];
  if (release.state === 'rollbackFailed') lines.push(...rollbackFailedLines(escapedNames(release)));
  // Once a group ends, some members may run new versions and others old ones: the card says which, plainly.
  if (release.group && isTerminalOrHalted(release)) lines.push(runningText(release, release.group));
  return lines.filter((line) => line !== '').join('\n');
}

const isTerminalOrHalted = (release: Release) =>
  isTerminal(release.state) || release.state === 'rollbackFailed';

/** A failed rollback can leave the stable fleet behind the agent's proxy: say where it stopped, how to go on. */
function rollbackFailedLines(release: Release): string[] {
  const rollback = release.rollback;
  const failure = rollback?.failure;
  const host = failure?.hostId === undefined ? '' : ` on host ${escapeMrkdwn(clip(failure.hostId, 80))}`;
  const failedStep = rollback?.steps[rollback.cursor];
  const step = `*${failedStep ? undoWords(failedStep) : 'a rollback step'}*`;
  const left = release.group ? groupExposureLeft(release, release.group) : exposureLeft(release);
  return [
    `The rollback stopped at ${step}: ${failure?.status ?? 'failed'}${host} (attempt ${rollback?.attempts ?? 1}).`,
    `⚠️ Until it finishes, ${left.length > 0 ? left.join('; ') : 'the hosts may be half-way'}.`,
    `Press *Retry rollback* (or \`/canary retry ${release.service}\`) to run it again from that step; the thread has the details.`,
  ];
}

/** What a halted one-service rollback may have left, from its exposure. */
function exposureLeft(release: Release): string[] {
  return [
    hasExposure(release.exposure, 'listenerSwitched')
      ? `the listener may still forward to ${colours(release).to} (${release.toVersion})`
      : '',
    hasExposure(release.exposure, 'stableProxied')
      ? "the stable hosts may still serve through the agent's proxy"
      : '',
    promoted(release) ? `the stable fleet may still run ${release.toVersion}` : '',
    hasExposure(release.exposure, 'canaryDeployed') ? 'the canary may still be running' : '',
    hasExposure(release.exposure, 'canaryStackCreated') ? 'the canary stack may still exist' : '',
  ].filter((part) => part !== '');
}

function undoWords(step: UndoStep): string {
  switch (step.kind) {
    case 'switchListener':
      return 'switching the listener back';
    case 'canaryStack':
      return 'deleting the canary stack';
    case 'hostOperation':
      return operationWords(step.operation, step.fleet, step.member && escapeMrkdwn(step.member));
  }
}

function fieldsOf(release: Release): string[] {
  const fields = [
    `*Strategy*\n${strategyText(release)}`,
    `*Started by*\n${actorName(release.requestedBy)} at ${slackTime(release.requestedAt)}`,
    `*Approvals*\n${approvalsText(release)}`,
  ];
  const rollback = release.rollback;
  if (rollback === undefined) return fields;
  const { reason } = rollback;
  // The outside words behind a rollback (the alarm's reason, a rejecting comment) are quoted, escaped.
  const words =
    reason.kind === 'alarm' ? reason.reason : reason.kind === 'rejected' ? reason.comment : undefined;
  const quote = words ? `\n> ${escapeMrkdwn(clip(words, 500))}` : '';
  const label = release.state === 'rolledBack' ? 'Rolled back because' : 'Rolling back because';
  const failedOver =
    reason.kind === 'alarm' && reason.alarmName === release.policy.failoverAlarm
      ? '\nThe canary failed the users routed to it; their requests were served by stable meanwhile.'
      : '';
  return [
    ...fields,
    `*${label}*\n${reasonPhrase(reason, failedMember(release))} at ${slackTime(rollback.startedAt)}${failedOver}${quote}`,
  ];
}

/** `describeStrategy`, with the share the canary gets now in bold while the routing proxy serves it. */
function strategyText(release: Release): string {
  const { strategy } = release;
  if (strategy.kind !== 'steps') return describeStrategy(strategy);
  const baked = `, each baked ${duration(strategy.bakeSeconds)}`;
  const serving = hasExposure(release.exposure, 'stableProxied') && !isRollingBack(release.state);
  const current = serving ? shareIndex(release) : -1;
  if (current < 0) return `${describeStrategy(strategy)}${baked}`;
  const shares = strategy.steps.map((p, i) =>
    i === current ? `*${formatPercent(p)}%*` : `${formatPercent(p)}%`,
  );
  return `in steps of ${shares.join(' → ')}${baked}`;
}

function approvalsText(release: Release): string {
  const { approvals, state } = release;
  if (approvals.length > 0) {
    return joinWithin(
      approvals.map((a) => `${mention(a.by)} at ${slackTime(a.at)}`),
      LIMITS.field - 20,
    );
  }
  if (!release.plan.some((step) => step.kind === 'approval')) return 'not required';
  if (state === 'awaitingApproval') return 'waiting for an approver';
  return isTerminal(state) || isRollingBack(state) ? 'none' : 'none yet';
}

const BUTTON_LABELS: Readonly<Record<CardAction, string>> = {
  promote: 'Promote',
  rollback: 'Roll back',
  abort: 'Abort',
  retry: 'Retry rollback',
};

function actionsBlock(release: Release): KnownBlock[] {
  const available = availableActions(release);
  if (available.length === 0) return [];
  const elements = ACTIONS.filter((action) => available.includes(action)).map((action): Button => {
    const text = plain(BUTTON_LABELS[action], LIMITS.button);
    const button: Button = { type: 'button', action_id: ACTION_IDS[action], text, value: release.id };
    // No Slack confirm dialog on any of them: it would ask before the agent could check who clicked. Stopping,
    // and promoting a window held without a verdict, are refused at once for someone who may not, or answered
    // with a confirm step (stop-confirm.ts).
    if (action === 'promote' || action === 'retry') return { ...button, style: 'primary' };
    return { ...button, style: 'danger' };
  });
  // The handler finds the release by the button's value; block_id only has to be unique and within 255.
  return [{ type: 'actions', block_id: `release:${release.id}`.slice(0, LIMITS.blockId), elements }];
}

/** Plain text (headers, buttons, dialogs) is shown as written: it is cut, never escaped. */
function plain(text: string, max: number): PlainTextElement {
  return { type: 'plain_text', text: clip(text, max) || ' ', emoji: true };
}

export function mrkdwn(text: string, max: number): MrkdwnElement {
  return { type: 'mrkdwn', text: clip(text, max) || ' ' };
}

export function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(text, LIMITS.section) };
}

import type { KnownBlock } from '@slack/types';
import type { PlanBlocker, PlannedAnalysis, PlanPreview, SurveyedFleet } from '../../domain/plan-preview';
import type { AlarmNow, InstanceCount } from '../../domain/plan-survey';
import { describeStrategy } from '../../domain/release-request';
import type { Release, Step } from '../../domain/types';
import { LABELS as METRIC_LABELS } from './card-evidence';
import { escapedNames } from './card-parts';
import { clip, duration, escapeMrkdwn, joinWithin, LIMITS, slackTime } from './mrkdwn';
import { type Message, section } from './release-card';
import { stepLabel } from './step-labels';

/** The `action_id` of a plan preview's Run button; its value is the previewed command's words after `start`. */
export const PLAN_RUN_ACTION_ID = 'canary_plan_run';

const ALARM_ICONS = { OK: '🟢', ALARM: '🔴', INSUFFICIENT_DATA: '⚪' } as const;

/**
 * The ephemeral answer to `/canary plan`: what the release would do, what it would act on and watch as they are
 * now, how long it takes, and whether it can run. Only a plan that can run has a Run button. `deniedText` is the
 * access policy's refusal as the Slack layer words it (with mentions); `runValue` is what Run starts.
 *
 * @example
 * planPreviewMessage(preview, { runValue: 'orders-api 1.4.2 mirror=10' }).blocks.at(-1) // { type: 'actions', … }
 */
export function planPreviewMessage(
  preview: PlanPreview,
  shown: { readonly deniedText?: string; readonly runValue: string },
): Message {
  const release = escapedNames(preview.release);
  const runnable = preview.blockers.length === 0;
  const title = `${release.service} ${release.fromVersion} → ${release.toVersion}`;
  const head = [
    `*Plan: ${title}*, ${escapeMrkdwn(describeStrategy(release.strategy))}. Nothing was changed: this is what \`/canary start\` would do now.`,
    runnable
      ? '✅ *It can run*: Run starts exactly this plan.'
      : [
          '⛔ *It cannot run now:*',
          ...preview.blockers.map((b) => `• ${blockerText(b, release, shown)}`),
        ].join('\n'),
    ...(preview.activeReleaseId
      ? [
          `ℹ️ A release of *${release.service}* is in progress now (\`${escapeMrkdwn(preview.activeReleaseId)}\`): see \`/canary status ${release.service}\`.`,
        ]
      : []),
  ];
  const blocks: KnownBlock[] = [
    section(joinWithin(head, LIMITS.section)),
    section(stepsText(release)),
    section(fleetsText(release, preview.fleets)),
    section(alarmsText(preview)),
    section(analysisText(preview.analysis)),
    section(durationText(preview)),
    ...(runnable ? [runButton(preview.release, shown.runValue)] : []),
  ];
  const verdict = runnable ? 'it can run' : 'it cannot run now';
  return { text: clip(`Plan for ${title}: ${verdict}`, LIMITS.text), blocks };
}

function blockerText(
  blocker: PlanBlocker,
  release: Release,
  shown: { readonly deniedText?: string },
): string {
  switch (blocker.kind) {
    case 'denied':
      return shown.deniedText ?? `You may not start *${release.service}* now.`;
    case 'noInstances': {
      const { all } = blocker.instances;
      const which = `the ${fleetName(blocker.fleet.fleet)} (${tagsText(blocker.fleet.tags)})`;
      return all === 0
        ? `No instance carries the tags of ${which}: Run Command would reach no host.`
        : `None of the ${all} instances with the tags of ${which} is online in SSM: Run Command would reach no host.`;
    }
    case 'missingAlarms':
      return `*${release.service}* watches alarms that do not exist in CloudWatch: ${blocker.names.map(alarmCode).join(', ')}. Create them, or correct its configuration: a release that watches nothing would pass unseen.`;
  }
}

/** The plan's steps, numbered, and what a rollback would undo. */
function stepsText(release: Release): string {
  const steps = release.plan.map((step, index) => `${index + 1}. ${planStepLabel(release, step)}`);
  const undo = release.undo.map((step) => stepLabel(release, step));
  const rollback = undo.length > 0 ? [`If it goes wrong, the rollback: ${undo.join(', then ')}.`] : [];
  return joinWithin(['*Steps*', ...steps, ...rollback], LIMITS.section);
}

/** The card's step labels, with the two a preview must say more plainly: who approves, and what a bake watches. */
function planStepLabel(release: Release, step: Step): string {
  if (step.kind === 'approval') return 'wait for an approver';
  if (step.kind === 'validate' && step.state === 'baking')
    return `bake: watch the stable fleet for ${duration(step.windowSeconds)}`;
  return stepLabel(release, step);
}

function fleetsText(release: Release, fleets: readonly SurveyedFleet[]): string {
  const lines = fleets.map(
    (f) => `• the ${fleetName(f.fleet)}, ${tagsText(f.tags)}: ${instancesText(f.instances)}`,
  );
  for (const step of release.plan) {
    if (step.kind === 'canaryStack' && step.action === 'create')
      lines.push('• the canary: a CloudFormation stack created for this release, and deleted after it');
    if (step.kind === 'awaitCanaryStack') lines.push('• the canary: a stack your tooling builds and reports');
  }
  const head = '*Fleets now* (instances with the fleet’s tags, and how many SSM can reach)';
  return joinWithin([head, ...(lines.length > 0 ? lines : ['no host operation'])], LIMITS.section);
}

function instancesText({ all, online, incomplete }: InstanceCount): string {
  if (all === 0) return '⛔ no instance';
  const counted = incomplete ? `${all} or more instances` : all === 1 ? '1 instance' : `${all} instances`;
  if (online === 0) return `${counted}, ⛔ none online`;
  if (online === all && !incomplete) return all === 1 ? '1 instance, online' : `${counted}, all online`;
  return `${counted}, ${online} online (⚠️ Run Command cannot reach the rest)`;
}

function alarmsText(preview: PlanPreview): string {
  const lines = preview.alarmStates.map((alarm) => `${alarmIcon(alarm)} ${alarmLine(alarm)}`);
  if (preview.stackAlarms) lines.push('▫️ the canary stack’s own alarms: named by the stack once it exists');
  return joinWithin(['*Watched alarms now*', ...(lines.length > 0 ? lines : ['none'])], LIMITS.section);
}

function alarmIcon(alarm: AlarmNow): string {
  return 'missing' in alarm ? '❌' : ALARM_ICONS[alarm.state];
}

function alarmLine(alarm: AlarmNow): string {
  if ('missing' in alarm) return `${alarmCode(alarm.name)}: does not exist`;
  const since = alarm.since ? ` since ${slackTime(alarm.since)}` : '';
  return `${alarmCode(alarm.name)}: *${alarm.state}*${since}`;
}

function analysisText(analysis: PlannedAnalysis | undefined): string {
  if (analysis === undefined)
    return '*Analysis*: none configured; the watched alarms alone judge the new version.';
  const metrics = analysis.judged.map((name) => escapeMrkdwn(METRIC_LABELS[name] ?? name)).join(', ');
  const sides =
    analysis.against === 'oldColour'
      ? `the new colour’s ${metrics} against the old colour’s before the switch`
      : `the canary’s ${metrics} against the stable fleet’s over the same minutes`;
  const { pass, marginal } = analysis.thresholds;
  const bake = analysis.bake
    ? ' The bake also judges the stable fleet against its own figures from before the release.'
    : '';
  return clip(
    `*Analysis*: every ${duration(analysis.intervalSeconds)}, ${sides}. At the window’s end a score of ${pass} or more passes, ${marginal} to ${pass} waits for a person, under ${marginal} rolls back; fewer than ${analysis.minimumRequests} canary requests count as no data.${bake}`,
    LIMITS.section,
  );
}

function durationText({ duration: expected }: PlanPreview): string {
  const { windows, bakeSeconds, approvals, watchingSeconds, waitsForStack } = expected;
  const parts = [
    ...(windows.length > 0 ? [windowsText(windows)] : []),
    ...(bakeSeconds > 0 ? [`a ${duration(bakeSeconds)} bake`] : []),
  ];
  const watching =
    parts.length > 0
      ? `about ${duration(watchingSeconds)} of watching (${parts.join(' and ')})`
      : 'no watching';
  const hosts = waitsForStack ? 'the canary stack and the hosts take' : 'the hosts take';
  const people =
    approvals === 0
      ? ' No approval: nobody has to act.'
      : approvals === 1
        ? ' The approval waits for a person, for as long as they take.'
        : ` Each of the ${approvals} approvals waits for a person, for as long as they take.`;
  return `*Expected duration*: ${watching}, plus the time ${hosts}.${people}`;
}

/** `a 15 min window`, `3 windows of 10 min`, `windows of 5 min, 10 min`. */
function windowsText(windows: readonly number[]): string {
  const [first] = windows;
  if (windows.length === 1 && first !== undefined) return `a ${duration(first)} window`;
  if (windows.every((seconds) => seconds === first) && first !== undefined)
    return `${windows.length} windows of ${duration(first)}`;
  return `windows of ${windows.map(duration).join(', ')}`;
}

function runButton(release: Release, runValue: string): KnownBlock {
  return {
    type: 'actions',
    block_id: `plan:${release.service}:${release.toVersion}`.slice(0, LIMITS.blockId),
    elements: [
      {
        type: 'button',
        action_id: PLAN_RUN_ACTION_ID,
        value: runValue,
        style: 'primary',
        text: { type: 'plain_text', text: 'Run', emoji: true },
      },
    ],
  };
}

function fleetName(fleet: SurveyedFleet['fleet']): string {
  return fleet === 'blue' || fleet === 'green' ? `${fleet} fleet (the idle colour)` : `${fleet} fleet`;
}

function tagsText(tags: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(tags).map(([key, value]) => `${key}=${value}`);
  return `\`${escapeMrkdwn(pairs.join(', '))}\``;
}

function alarmCode(name: string): string {
  return `\`${escapeMrkdwn(clip(name, 256))}\``;
}

import { assertNever, formatPercent } from '../../domain/plan';
import { isRollingBack } from '../../domain/policies';
import { hasExposure } from '../../domain/rollback-types';
import { describeRun, hostOperationRunOf } from '../../domain/steps';
import { secondsBetween } from '../../domain/time';
import type {
  CommandOutcome,
  HostOperationStep,
  HostStatus,
  Instant,
  Release,
  Rollback,
  RollbackReason,
  Step,
} from '../../domain/types';
import { OUTCOME_WORDS, operationWords, STATE_WORDS } from '../../domain/words';
import { joinsRun, memberRunLabel, named } from './card-group-steps';
import { clip, duration, escapeMrkdwn, joinWithin, LIMITS, mention, slackTime } from './mrkdwn';
import { stepLabel } from './step-labels';

/** A step of the strategy's shares. A group's downstream members route by the tag alone: theirs give no share. */
function isShift(release: Release, step: Step | undefined): step is HostOperationStep {
  if (step?.kind !== 'hostOperation' || step.operation !== 'shiftTraffic') return false;
  return step.member === undefined || step.member === release.service;
}

/**
 * Index into `strategy.steps` of the share last given to the routing proxy (-1 before the first shift).
 * @example shareIndex(releaseBakingItsSecondStep) // 1
 */
export function shareIndex(release: Release): number {
  return release.plan.slice(0, release.cursor + 1).filter((step) => isShift(release, step)).length - 1;
}

/** A steps release in its mirrored window: mirroring started, and no step yet. */
function mirroring(release: Release): boolean {
  const passed = release.plan.slice(0, release.cursor + 1);
  const started = passed.some((s) => s.kind === 'hostOperation' && s.operation === 'startMirror');
  const stopped = passed.some((s) => s.kind === 'hostOperation' && s.operation === 'stopMirror');
  return started && !stopped;
}

/**
 * The share of traffic the canary gets, in words.
 * @example shareText(mirrorRelease) // 'a 10% mirror of live requests'
 */
export function shareText(release: Release): string {
  const { strategy } = release;
  if (strategy.kind === 'mirror') return `a ${formatPercent(strategy.percent)}% mirror of live requests`;
  if (strategy.kind === 'blueGreen') {
    return hasExposure(release.exposure, 'listenerSwitched') ? 'all traffic' : 'no traffic yet';
  }
  if (strategy.kind === 'revert') return 'no traffic: a revert has no canary';
  if (strategy.mirror && mirroring(release)) {
    return `a ${formatPercent(strategy.mirror.percent)}% mirror of live requests, before any user`;
  }
  const percent = strategy.steps[shareIndex(release)];
  return percent === undefined ? 'no users yet' : `${formatPercent(percent)}% of users`;
}

/**
 * Why a rollback started, worded to follow "rolled back at …, after"; `member` names the group member whose step
 * failed.
 * @example reasonPhrase({ kind: 'aborted', by: 'U0ANA' }) // 'aborted by <@U0ANA>'
 */
export function reasonPhrase(reason: RollbackReason, member?: string): string {
  switch (reason.kind) {
    case 'alarm':
      return `Alarm ${escapeMrkdwn(clip(reason.alarmName, 256))} is ALARM`;
    case 'hostOperationFailed': {
      const host = reason.hostId === undefined ? '' : ` on ${escapeMrkdwn(clip(reason.hostId, 80))}`;
      const what = operationWords(reason.operation, undefined, member && named(member));
      return `${what} ${OUTCOME_WORDS[reason.status]}${host}`;
    }
    case 'aborted':
      return `aborted by ${mention(reason.by)}`;
    case 'rolledBackByPerson':
      return `rollback requested by ${mention(reason.by)}`;
    case 'rejected':
      return `rejected by ${mention(reason.by)}`;
    case 'canaryStackFailed':
      return `the canary stack failed: ${escapeMrkdwn(clip(reason.reason, 300))}`;
    case 'listenerSwitchFailed':
      return `the listener switch was refused: ${escapeMrkdwn(clip(reason.reason, 300))}`;
    case 'deadlineExceeded':
      return `no progress before the deadline while ${STATE_WORDS[reason.state]}`;
    case 'noData':
      return `still no data from ${noDataNames(reason.alarms)} after one extension`;
    case 'analysisFailed': {
      const which = reason.metrics.length > 0 ? `: ${noDataNames(reason.metrics)}` : '';
      return `the canary failed its analysis${reason.early ? ' early' : ''} (score ${reason.score}${which})`;
    }
    case 'hookFailed':
      return `the hook ${escapeMrkdwn(clip(reason.name, 40))} failed`;
    default:
      return assertNever(reason);
  }
}

/** The watched alarms that gave no data, escaped and cut to a readable list. */
export function noDataNames(alarms: readonly string[]): string {
  const shown = alarms.slice(0, 5).map((name) => escapeMrkdwn(clip(name, 100)));
  return alarms.length > 5 ? `${shown.join(', ')} and ${alarms.length - 5} more` : shown.join(', ');
}

type Mark = 'done' | 'current' | 'later' | 'failed';
/** A timeline line; `share` is set for a weighted step, so that runs of them collapse into one line. */
type Item = { readonly label: string; readonly mark: Mark; readonly share?: string };

const MARKS: Readonly<Record<Mark, (label: string) => string>> = {
  done: (label) => `✓ ${label}`,
  current: (label) => `▶ *${label}*`,
  later: (label) => `○ ${label}`,
  failed: (label) => `✗ *${label}: failed*`,
};

/**
 * The plan (or, once a rollback started, the rollback's steps) as a timeline with the current step bold.
 * @example timelineText(verifying) // '*Plan*\n✓ deploy 1.4.2 to the canary\n✓ mirror 10% of requests\n▶ *verify for 15 min*…'
 */
export function timelineText(release: Release): string {
  const rollback = release.rollback;
  const undoing = rollback !== undefined && (isRollingBack(release.state) || release.state === 'rolledBack');
  const items = undoing ? rollbackItems(release, rollback) : collapseShares(forwardItems(release));
  const lines = items.map((item) => MARKS[item.mark](item.label));
  return joinWithin([undoing ? '*Rollback*' : '*Plan*', ...lines], LIMITS.section);
}

/** One item per plan step, except that a weighted step's shift, bake and own approval make one item. */
function forwardItems(release: Release): Item[] {
  const groups: { label: string; share?: string; from: number; to: number }[] = [];
  release.plan.forEach((step, index) => {
    const last = groups[groups.length - 1];
    // The final approval before promotion is not a step's own: only one followed by the next shift is.
    const ownApproval = step.kind === 'approval' && isShift(release, release.plan[index + 1]);
    if (last?.share !== undefined && last.to === index - 1 && (step.kind === 'validate' || ownApproval)) {
      last.to = index;
      last.label += step.kind === 'validate' ? `, bake ${duration(step.windowSeconds)}` : ', approval';
      return;
    }
    if (last && last.to === index - 1 && joinsRun(release, release.plan[index - 1], step)) {
      last.to = index;
      last.label = memberRunLabel(release, release.plan.slice(last.from, index + 1));
      return;
    }
    const share = isShift(release, step)
      ? `${escapeMrkdwn(step.parameters.CanaryPercent ?? '?')}%`
      : undefined;
    groups.push({
      label: share ? `${share} of users` : stepLabel(release, step),
      share,
      from: index,
      to: index,
    });
  });
  return groups.map(({ label, share, from, to }) => {
    const over = release.state === 'succeeded' || to < release.cursor;
    const mark: Mark = over ? 'done' : from <= release.cursor ? 'current' : 'later';
    return share === undefined ? { label, mark } : { label, mark, share };
  });
}

/** Long step plans: consecutive weighted steps that are all done, or all still to come, share a line. */
function collapseShares(items: readonly Item[]): Item[] {
  const out: Item[] = [];
  for (const item of items) {
    const previous = out[out.length - 1];
    if (previous?.share && item.share && previous.mark === item.mark && item.mark !== 'current') {
      const share = `${previous.share} → ${item.share}`;
      out[out.length - 1] = { label: `${share} of users`, mark: item.mark, share };
    } else out.push(item);
  }
  return out;
}

function rollbackItems(release: Release, rollback: Rollback): Item[] {
  // A rollback that starts while an operation runs first waits for it to end (see startRollback).
  const running = release.run;
  const waiting =
    release.state === 'rollingBack' &&
    (running?.kind === 'hostOperation' || running?.kind === 'switchListener') &&
    running.cancelRequested === true;
  const markOf = (index: number): Mark => {
    if (release.state === 'rolledBack' || index < rollback.cursor) return 'done';
    if (waiting || index > rollback.cursor) return 'later';
    return release.state === 'rollbackFailed' ? 'failed' : 'current';
  };
  const items: Item[] = rollback.steps.map((step, i) => ({
    label: stepLabel(release, step),
    mark: markOf(i),
  }));
  if (waiting && running)
    items.unshift({ label: `wait for the running step to stop: ${describeRun(running)}`, mark: 'current' });
  return items.length > 0 ? items : [{ label: 'nothing on the hosts to undo', mark: 'done' }];
}

const UNSUCCESSFUL: readonly HostStatus[] = ['failed', 'timedOut', 'cancelled'];

/**
 * The running host operation's progress. SSM tells us of hosts only as each one reports, so the counts are
 * of the hosts heard from so far, not of the fleet.
 * @example fleetText(promoting) // '*Hosts*: promoting the new version on the stable fleet, running\n1 done · 0 failed · 0 still running, of the 1 host heard from so far'
 */
export function fleetText(release: Release): string | null {
  const run = hostOperationRunOf(release);
  if (run === undefined) return null;
  const hosts = Object.entries(run.hosts);
  const failed = hosts.filter(([, status]) => UNSUCCESSFUL.includes(status));
  const count = (wanted: HostStatus) => hosts.filter(([, status]) => status === wanted).length;
  let phase = run.commandId === undefined ? 'being sent' : run.cancelRequested ? 'cancelling' : 'running';
  if (release.state === 'rollbackFailed') phase = 'stopped at a failure';
  return joinWithin(
    [
      `*Hosts*: ${operationWords(run.step.operation, run.step.fleet, run.step.member && named(run.step.member))}, ${phase}`,
      hosts.length === 0
        ? 'No host has reported yet.'
        : `${count('success')} done · ${failed.length} failed · ${count('pending')} still running, of the ${hosts.length === 1 ? '1 host' : `${hosts.length} hosts`} heard from so far`,
      ...failed.map(
        ([host, status]) => `✗ ${escapeMrkdwn(clip(host, 80))}: ${OUTCOME_WORDS[status as CommandOutcome]}`,
      ),
    ],
    LIMITS.section,
  );
}

const ALARM_ICONS: Readonly<Record<string, string>> = { OK: '🟢', ALARM: '🔴', INSUFFICIENT_DATA: '⚪' };

/**
 * The watched alarms with what was last observed of each, firing ones first so that a cut list keeps them.
 * @example alarmsText(verifying) // '*Watched alarms*\n▫️ orders-api-canary-5xx: not read yet'
 */
export function alarmsText(release: Release): string {
  const lines = release.policy.watchedAlarms.map((name) => {
    const seen = release.alarms[name];
    const shown = escapeMrkdwn(clip(name, 256));
    if (seen === undefined) return { firing: false, line: `▫️ ${shown}: not read yet` };
    const why = seen.state === 'ALARM' ? `: ${escapeMrkdwn(clip(seen.reason, 300))}` : '';
    const line = `${ALARM_ICONS[seen.state] ?? '⚪'} ${shown}: *${seen.state}* as of ${slackTime(seen.at)}${why}`;
    return { firing: seen.state === 'ALARM', line };
  });
  const ordered = [...lines.filter((l) => l.firing), ...lines.filter((l) => !l.firing)].map((l) => l.line);
  return joinWithin(['*Watched alarms*', ...(ordered.length > 0 ? ordered : ['none'])], LIMITS.section);
}

/**
 * The release's warnings (things to clean up by hand), or null when there are none.
 * @example warningsText(release) // '⚠️ *Warnings*\n• Removing the canary failed; clean it up by hand.'
 */
export function warningsText(release: Release): string | null {
  if (release.warnings.length === 0) return null;
  const lines = release.warnings.map((warning) => `• ${escapeMrkdwn(clip(warning, 500))}`);
  return joinWithin(['⚠️ *Warnings*', ...lines], LIMITS.section);
}

/**
 * When the validation window ends, from `now`; once the alarm check is out (`checkId`) the window is over.
 * `speedUp` is how many times faster than the clock the timers fire (the sandbox's 20x): the time left is the
 * time a person waits.
 * @example windowLine(verifying, now) // 'Validation window ends <!date^…|14:15 UTC> (about 12 min left).'
 */
export function windowLine(release: Release, now: Instant, speedUp = 1): string | null {
  const run = release.run;
  if (run?.kind !== 'validate' || Number.isNaN(Date.parse(run.windowEndsAt))) return null;
  const what = run.step.state === 'baking' ? 'The bake' : 'Validation window';
  if (run.checkId !== undefined) return `${what} over: reading the watched alarms.`;
  const endsAt = run.windowEndsAt;
  const left = secondsBetween(now, endsAt);
  if (Number.isNaN(left)) return null;
  if (left <= 0) return `${what} ended ${slackTime(endsAt)}; the alarm check is due.`;
  if (speedUp === 1) return `${what} ends ${slackTime(endsAt)} (about ${duration(left)} left).`;
  const wait = left / speedUp;
  const shown = wait < 60 ? `${Math.ceil(wait)} s` : duration(wait);
  return `${what} ends ${slackTime(endsAt)} (about ${shown} left at ${speedUp}× speed).`;
}

/** Service and versions come from commands and the version registry: escape them once for every mrkdwn use. */
export function escapedNames(release: Release): Release {
  const { service, fromVersion, toVersion } = release;
  return {
    ...release,
    service: escapeMrkdwn(service),
    fromVersion: escapeMrkdwn(fromVersion),
    toVersion: escapeMrkdwn(toVersion),
  };
}

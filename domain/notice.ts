import { type AnalysisNotice, renderAnalysisNotice } from './analysis-notice';
import {
  type CanaryStackNotice,
  canaryStackNoticeDetail,
  isCanaryStackNotice,
  renderCanaryStackNotice,
} from './canary-stack-notice';
import { assertNever } from './plan';
import { describeStrategy } from './release-request';
import {
  isRolloutNotice,
  type RolloutNotice,
  renderRolloutNotice,
  rolloutNoticeDetail,
} from './rollout-notice';
import type {
  Actor,
  AlarmState,
  Colour,
  CommandOutcome,
  HostOperationName,
  ReleaseState,
  Strategy,
} from './types';
import { capitalised, commandOutcome, hostResultWords, OPERATION_WORDS, STATE_WORDS } from './words';

/*
 * What the engine says about a change, as data: who acted (ids), which versions, and any outside text (a
 * pipeline's reason, an alarm's reason, a host's output, a rejecting comment) as plain fields. Never markup: each
 * reader renders it for its own medium (Slack escapes the outside text; logs and EventBridge take plain words).
 */

/** What a failed or unanswered step leads to: nothing more, a rollback, or a failed rollback. */
export type Consequence = 'none' | 'rollingBack' | 'rollbackStepFailed';

export type Notice =
  | {
      readonly kind: 'requested';
      readonly by: Actor;
      readonly service: string;
      readonly fromVersion: string;
      readonly toVersion: string;
      readonly strategy: Strategy;
    }
  | { readonly kind: 'canaryStackReady' }
  | { readonly kind: 'canaryStackFailed'; readonly reason: string }
  | { readonly kind: 'approved'; readonly by: string }
  | { readonly kind: 'promotedWithoutData'; readonly by: string; readonly noData: readonly string[] }
  | { readonly kind: 'rejected'; readonly by: string; readonly comment?: string }
  | { readonly kind: 'aborted'; readonly by: string }
  | { readonly kind: 'rollbackRequested'; readonly by: string }
  | { readonly kind: 'rollbackRetried'; readonly by: string }
  | { readonly kind: 'alarmChanged'; readonly alarmName: string; readonly state: AlarmState }
  /** A watched alarm fired while the canary had traffic, or was found in ALARM at the window's end. */
  | { readonly kind: 'alarmFired'; readonly alarmName: string; readonly reason: string }
  | { readonly kind: 'checkingAlarms' }
  | { readonly kind: 'windowPassed' }
  /** The bake after promotion ended with every stable alarm OK. */
  | { readonly kind: 'bakePassed' }
  | { readonly kind: 'windowExtended'; readonly noData: readonly string[] }
  | { readonly kind: 'noDataAfterExtension'; readonly noData: readonly string[] }
  | { readonly kind: 'inconclusive'; readonly noData: readonly string[] }
  | { readonly kind: 'commandSent'; readonly operation: HostOperationName; readonly commandId: string }
  | {
      readonly kind: 'hostResult';
      readonly operation: HostOperationName;
      readonly hostId: string;
      readonly status: CommandOutcome;
      readonly output?: string;
      readonly leadsTo: Consequence;
    }
  | {
      readonly kind: 'commandResult';
      readonly operation: HostOperationName;
      readonly status: CommandOutcome;
      readonly leadsTo: Consequence;
    }
  /** A host operation ended with failed hosts, no more than its `maxErrors`: the release goes on. */
  | {
      readonly kind: 'failedHostsTolerated';
      readonly operation: HostOperationName;
      readonly hostIds: readonly string[];
      readonly maxErrors: string;
    }
  /** A step (`promote`, `the listener switch`) did not report before its deadline. */
  | { readonly kind: 'stepTimedOut'; readonly step: string; readonly leadsTo: Consequence }
  | { readonly kind: 'deadlineExceeded'; readonly state: ReleaseState }
  | {
      readonly kind: 'listenerSwitched';
      readonly direction: 'forward' | 'back';
      readonly colour?: Colour;
      readonly version: string;
    }
  /** The listener switched while a rollback waited for it: it is switched back. */
  | { readonly kind: 'listenerSwitchUndone' }
  | { readonly kind: 'listenerSwitchRefused'; readonly reason: string; readonly leadsTo: Consequence }
  | AnalysisNotice
  | RolloutNotice
  | CanaryStackNotice
  /** A history entry or queued notice stored as text before notices were data; its text is outside text. */
  | { readonly kind: 'legacy'; readonly text: string; readonly detail?: string };

/**
 * How a reader's medium writes the parts of a notice: `text` for every name, version and outside text (Slack
 * escapes it), `person` for a person's id (Slack mentions a valid user id), `actor` for whoever requested.
 */
export interface NoticeMedium {
  text(value: string): string;
  person(id: string): string;
  actor(actor: Actor): string;
}

/** Plain words: logs, the local timeline, EventBridge followers. */
export const PLAIN_TEXT: NoticeMedium = { text: (v) => v, person: (id) => id, actor: (a) => a.id };

/**
 * The notice in plain words, with no markup, for logs, the local timeline and EventBridge followers.
 *
 * @example
 * describeNotice({ kind: 'approved', by: 'U0ANA' }) // 'Approved by U0ANA.'
 */
export function describeNotice(notice: Notice): string {
  return renderNotice(notice, PLAIN_TEXT);
}

/**
 * The notice's words in a medium: every part goes through the medium, so a medium that escapes its `text` gets
 * no markup from outside text.
 *
 * @example
 * renderNotice({ kind: 'aborted', by: 'U0ANA' }, slackMedium) // 'Aborted by <@U0ANA>.'
 */
export function renderNotice(notice: Notice, m: NoticeMedium): string {
  switch (notice.kind) {
    case 'requested': {
      const { service, fromVersion, toVersion } = notice;
      const what = `${m.text(service)} ${m.text(fromVersion)} → ${m.text(toVersion)}`;
      return `${m.actor(notice.by)} started ${what}, ${m.text(describeStrategy(notice.strategy))}.`;
    }
    case 'approved':
      return `Approved by ${m.person(notice.by)}.`;
    case 'promotedWithoutData':
      return `Promoted by ${m.person(notice.by)} without data from ${names(notice.noData, m)}.`;
    case 'promotedMarginal':
      return `Promoted by ${m.person(notice.by)} on a marginal score of ${notice.score}.`;
    case 'rejected': {
      const comment = notice.comment ? ` “${m.text(notice.comment)}”` : '';
      return `Rejected by ${m.person(notice.by)}.${comment}`;
    }
    case 'aborted':
      return `Aborted by ${m.person(notice.by)}.`;
    case 'rollbackRequested':
      return `Rollback requested by ${m.person(notice.by)}.`;
    case 'rollbackRetried':
      return `Rollback retried by ${m.person(notice.by)}.`;
    case 'legacy':
      return m.text(notice.text);
    default:
      return renderSystemNotice(notice, m);
  }
}

/** Kinds about what a person did, rendered by `renderNotice` itself. */
type PersonKind =
  | 'requested'
  | 'approved'
  | 'promotedWithoutData'
  | 'promotedMarginal'
  | 'rejected'
  | 'aborted'
  | 'rollbackRequested'
  | 'rollbackRetried'
  | 'legacy';
/** Kinds about alarms and the validation window, rendered by `renderSystemNotice`. */
type WindowKind =
  | 'canaryStackReady'
  | 'canaryStackFailed'
  | 'alarmChanged'
  | 'alarmFired'
  | 'checkingAlarms'
  | 'windowPassed'
  | 'bakePassed'
  | 'windowExtended'
  | 'noDataAfterExtension'
  | 'inconclusive';

/** Notices about what the system saw: alarms, hosts, the load balancer, timers. */
function renderSystemNotice(notice: Exclude<Notice, { kind: PersonKind }>, m: NoticeMedium): string {
  switch (notice.kind) {
    case 'canaryStackReady':
      return 'The canary stack is ready.';
    case 'canaryStackFailed':
      return `The canary stack failed: ${m.text(notice.reason)}`;
    case 'alarmChanged':
      return `Alarm ${m.text(notice.alarmName)} is ${notice.state}.`;
    case 'alarmFired':
      return `Alarm ${m.text(notice.alarmName)} is ALARM. Rolling back.`;
    case 'checkingAlarms':
      return 'Validation window over; checking alarms.';
    case 'windowPassed':
      return 'Validation window passed with every watched alarm OK.';
    case 'bakePassed':
      return 'Bake over: the stable fleet stayed quiet on the new version.';
    case 'windowExtended':
      return `No data from ${names(notice.noData, m)}: the window runs once more.`;
    case 'noDataAfterExtension':
      return `Still no data from ${names(notice.noData, m)} after one extension.`;
    case 'inconclusive':
      return `Inconclusive: no data from ${names(notice.noData, m)}. Roll back, or an approver may promote anyway.`;
    default:
      return renderStepNotice(notice, m);
  }
}

/** Notices about a step: host commands, the listener switch, deadlines. */
function renderStepNotice(
  notice: Exclude<Notice, { kind: PersonKind | WindowKind }>,
  m: NoticeMedium,
): string {
  switch (notice.kind) {
    case 'commandSent':
      return `${capitalised(OPERATION_WORDS[notice.operation])}: command ${m.text(notice.commandId)} sent.`;
    case 'hostResult':
      return consequence(hostResultWords(notice, m.text(notice.hostId)), notice.leadsTo);
    case 'commandResult':
      return consequence(commandOutcome(notice), notice.leadsTo);
    case 'failedHostsTolerated': {
      const count = notice.hostIds.length;
      return `Finished ${OPERATION_WORDS[notice.operation]} with ${count} failed host${count === 1 ? '' : 's'} (${names(notice.hostIds, m)}), within the ${m.text(notice.maxErrors)} allowed to fail; going on.`;
    }
    case 'stepTimedOut':
      return notice.leadsTo === 'rollbackStepFailed'
        ? `The rollback step (${m.text(notice.step)}) did not finish in time.`
        : `${capitalised(m.text(notice.step))} did not report back in time; rolling back anyway.`;
    case 'deadlineExceeded':
      return `No progress before the deadline while ${STATE_WORDS[notice.state]}.`;
    case 'listenerSwitched': {
      const version = m.text(notice.version);
      const where = notice.colour ? `${notice.colour} (${version})` : version;
      return notice.direction === 'forward'
        ? `The listener now forwards to ${where}.`
        : `The listener forwards to ${where} again.`;
    }
    case 'listenerSwitchUndone':
      return 'The listener switched; switching it back.';
    case 'listenerSwitchRefused':
      return consequence(`The listener switch was refused: ${m.text(notice.reason)}`, notice.leadsTo);
    default:
      if (isCanaryStackNotice(notice)) return renderCanaryStackNotice(notice, m);
      return isRolloutNotice(notice) ? renderRolloutNotice(notice, m) : renderAnalysisNotice(notice, m);
  }
}

export function names(values: readonly string[], m: NoticeMedium): string {
  return values.map((value) => m.text(value)).join(', ');
}

/**
 * The outside text behind a notice, for a thread under the headline: a host's output, an alarm's or a load
 * balancer's reason; undefined when there is none to show.
 *
 * @example
 * noticeDetail({ kind: 'alarmFired', alarmName: 'orders-5xx', reason: 'Threshold crossed' }) // 'Threshold crossed'
 */
export function noticeDetail(notice: Notice): string | undefined {
  switch (notice.kind) {
    case 'hostResult': {
      if (notice.status === 'success') return undefined;
      const what = hostResultWords(notice, notice.hostId);
      return notice.output ? `${what}\n${notice.output}` : what;
    }
    case 'alarmFired':
      return notice.reason || undefined;
    case 'listenerSwitchRefused':
      return notice.reason || undefined;
    case 'legacy':
      return notice.detail;
    default:
      if (isCanaryStackNotice(notice)) return canaryStackNoticeDetail(notice);
      return isRolloutNotice(notice) ? rolloutNoticeDetail(notice) : undefined;
  }
}

/**
 * Words for a result and what it leads to; `what` is whatever the reader's medium made of the result.
 * @example consequence('Deploying the canary failed', 'rollingBack') // 'Deploying the canary failed; rolling back.'
 */
export function consequence(what: string, leadsTo: Consequence): string {
  switch (leadsTo) {
    case 'none':
      return what.endsWith('.') ? what : `${what}.`;
    case 'rollingBack':
      return `${what}; rolling back.`;
    case 'rollbackStepFailed':
      return `Rollback step failed: ${what.charAt(0).toLowerCase()}${what.slice(1)}.`;
    default:
      return assertNever(leadsTo);
  }
}

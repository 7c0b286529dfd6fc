import type { AnalysisNotice } from './analysis-notice';
import { type CanaryStackNotice, canaryStackNoticeDetail, isCanaryStackNotice } from './canary-stack-notice';
import type { GroupMember } from './group';
import type { HookNotice } from './hook-events';
import { assertNever } from './plan';
import type { QueueNotice } from './queue-notice';
import { describeStrategy } from './release-request';
import { isRolloutNotice, type RolloutNotice, rolloutNoticeDetail } from './rollout-notice';
import { type PersonKind, renderSystemNotice } from './system-notice';
import type {
  Actor,
  AlarmState,
  Colour,
  CommandOutcome,
  HostOperationName,
  ReleaseState,
  Strategy,
} from './types';
import { hostResultWords } from './words';

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
      /** A group release's members, each with its versions. */
      readonly members?: readonly GroupMember[];
    }
  | { readonly kind: 'canaryStackReady' }
  /** A group's path counts, per member (the card shows them; the thread does not). */
  | { readonly kind: 'pathCounted'; readonly members: readonly GroupMember[] }
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
  | {
      readonly kind: 'commandSent';
      readonly operation: HostOperationName;
      readonly commandId: string;
      readonly member?: string;
    }
  | {
      readonly kind: 'hostResult';
      readonly operation: HostOperationName;
      /** In a group release: the member the step acts on (the same operation runs once per member). */
      readonly member?: string;
      readonly hostId: string;
      readonly status: CommandOutcome;
      readonly output?: string;
      readonly leadsTo: Consequence;
    }
  | {
      readonly kind: 'commandResult';
      readonly operation: HostOperationName;
      readonly member?: string;
      readonly status: CommandOutcome;
      readonly leadsTo: Consequence;
    }
  /** A host operation ended with failed hosts, no more than its `maxErrors`: the release goes on. */
  | {
      readonly kind: 'failedHostsTolerated';
      readonly operation: HostOperationName;
      readonly member?: string;
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
  | HookNotice
  | QueueNotice
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
      const strategy = m.text(describeStrategy(notice.strategy));
      if (notice.members)
        return `${m.actor(notice.by)} started ${groupWords(notice.members, m)}, ${strategy}.`;
      const what = `${m.text(service)} ${m.text(fromVersion)} → ${m.text(toVersion)}`;
      return `${m.actor(notice.by)} started ${what}, ${strategy}.`;
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
      return renderSystemNotice(notice as Exclude<Notice, { kind: PersonKind }>, m);
  }
}

/** `a group release of front 2.0.0 → 2.0.1 (entry), payments 2.0.9 → 2.1.0`: members in call order. */
function groupWords(members: readonly GroupMember[], m: NoticeMedium): string {
  const each = members.map(
    (member, i) =>
      `${m.text(member.service)} ${m.text(member.fromVersion)} → ${m.text(member.toVersion)}${i === 0 ? ' (entry)' : ''}`,
  );
  return `a group release of ${each.join(', ')}`;
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
      const what = hostResultWords(notice, notice.hostId, notice.member);
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
      if (notice.kind === 'hookFailed') return notice.output || undefined;
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

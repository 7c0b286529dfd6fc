import { renderAnalysisNotice } from './analysis-notice';
import { isCanaryStackNotice, renderCanaryStackNotice } from './canary-stack-notice';
import { isHookNotice, renderHookNotice } from './hook-events';
import { consequence, type Notice, type NoticeMedium, names } from './notice';
import { isQueueNotice, renderQueueNotice } from './queue-notice';
import { isRolloutNotice, renderRolloutNotice } from './rollout-notice';
import type { HostOperationName } from './types';
import { capitalised, commandOutcome, hostResultWords, operationWords, STATE_WORDS } from './words';

/* Notices about what the system did and saw (alarms, windows, hosts, the load balancer), in a reader's medium. */

/** Kinds about what a person did, rendered by `renderNotice` itself. */
export type PersonKind =
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
  | 'pathCounted'
  | 'windowPassed'
  | 'bakePassed'
  | 'windowExtended'
  | 'noDataAfterExtension'
  | 'inconclusive';

/** Notices about what the system saw: alarms, hosts, the load balancer, timers. */
export function renderSystemNotice(notice: Exclude<Notice, { kind: PersonKind }>, m: NoticeMedium): string {
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
    case 'pathCounted':
      return `Path so far: ${notice.members.map((mb) => `${m.text(mb.service)} ${mb.path?.tagged ?? 0} tagged, ${mb.path?.untagged ?? 0} untagged`).join('; ')}.`;
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
      return `${capitalised(stepWords(notice, m))}: command ${m.text(notice.commandId)} sent.`;
    case 'hostResult':
      return consequence(hostResultWords(notice, m.text(notice.hostId), member(notice, m)), notice.leadsTo);
    case 'commandResult':
      return consequence(commandOutcome(notice, member(notice, m)), notice.leadsTo);
    case 'failedHostsTolerated': {
      const count = notice.hostIds.length;
      return `Finished ${stepWords(notice, m)} with ${count} failed host${count === 1 ? '' : 's'} (${names(notice.hostIds, m)}), within the ${m.text(notice.maxErrors)} allowed to fail; going on.`;
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
      if (isHookNotice(notice)) return renderHookNotice(notice, m);
      if (isQueueNotice(notice)) return renderQueueNotice(notice, m);
      return isRolloutNotice(notice) ? renderRolloutNotice(notice, m) : renderAnalysisNotice(notice, m);
  }
}

/** A group member's name as the medium writes it; undefined outside a group. */
function member(notice: { readonly member?: string }, m: NoticeMedium): string | undefined {
  return notice.member === undefined ? undefined : m.text(notice.member);
}

function stepWords(
  notice: { readonly operation: HostOperationName; readonly member?: string },
  m: NoticeMedium,
) {
  return operationWords(notice.operation, undefined, member(notice, m));
}

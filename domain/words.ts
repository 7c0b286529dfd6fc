import type { CommandOutcome } from './runs';
import type { Fleet, HostOperationName, ReleaseState } from './types';

/*
 * The words a person reads for the engine's own names: each release state and each host operation, in one place.
 * Every text for people (the card, its thread, `/canary status`, `history`, `list`, notices and refusals) takes
 * its words from here; machine-readable fields (stored states, action values, block ids) keep the names.
 */

/**
 * Where a release is, in plain words, to follow "the release is …" or "orders-api 1.4.1 → 1.4.2: …".
 *
 * @example
 * STATE_WORDS.awaitingApproval // 'waiting for approval'
 */
export const STATE_WORDS: Readonly<Record<ReleaseState, string>> = {
  deployingCanary: 'deploying the canary',
  creatingCanaryStack: 'creating the canary stack',
  awaitingCanaryStack: 'waiting for the canary stack',
  startingMirror: 'starting the mirror',
  shiftingTraffic: 'shifting users to the canary',
  deployingIdle: 'deploying the idle fleet',
  switchingListener: 'switching the listener',
  runningHook: 'running a hook',
  verifying: 'verifying',
  inconclusive: 'held without a verdict',
  awaitingApproval: 'waiting for approval',
  stoppingMirror: 'stopping the mirror',
  promoting: 'promoting on the stable fleet',
  restoringProxy: 'putting the stable hosts back on their own nginx',
  baking: 'baking on the stable fleet',
  cleaningUp: 'removing the canary',
  rollingBack: 'rolling back',
  rollbackFailed: 'halted because its rollback failed',
  succeeded: 'succeeded',
  rolledBack: 'rolled back',
};

/**
 * What a host operation does, as "…ing" words that can start a sentence once capitalised.
 *
 * @example
 * OPERATION_WORDS.removeCanary // 'removing the canary'
 */
export const OPERATION_WORDS: Readonly<Record<HostOperationName, string>> = {
  deployCanary: 'deploying the canary',
  removeCanary: 'removing the canary',
  startMirror: 'starting the mirror on the stable hosts',
  shiftTraffic: 'shifting users to the canary',
  stopMirror: 'putting the stable hosts back on their own nginx',
  promote: 'promoting the new version on the stable fleet',
  restoreStable: 'putting the old version back on the stable fleet',
  deployIdle: 'deploying the idle fleet',
  runHook: 'running a hook',
};

/** The same, for a step of a group release: each names the member it acts on. */
const MEMBER_OPERATION_WORDS: Readonly<Record<HostOperationName, (member: string) => string>> = {
  deployCanary: (m) => `deploying the canary of ${m}`,
  removeCanary: (m) => `removing the canary of ${m}`,
  startMirror: (m) => `starting the mirror on the stable hosts of ${m}`,
  shiftTraffic: (m) => `routing requests to the canary of ${m}`,
  stopMirror: (m) => `putting the stable hosts of ${m} back on their own nginx`,
  promote: (m) => `promoting ${m} on its stable fleet`,
  restoreStable: (m) => `putting the old version of ${m} back on its stable fleet`,
  deployIdle: (m) => `deploying the idle fleet of ${m}`,
  runHook: (m) => `running a hook for ${m}`,
};

/**
 * A host operation in words, naming the idle colour when the fleet is known, and the group member it acts on when
 * there is one (a group runs the same operation once per member). `member` is written as given: a medium that
 * escapes names passes it escaped.
 *
 * @example
 * operationWords('deployIdle', 'green') // 'deploying the idle (green) fleet'
 * operationWords('promote', undefined, 'payments') // 'promoting payments on its stable fleet'
 */
export function operationWords(operation: HostOperationName, fleet?: Fleet, member?: string): string {
  if (member !== undefined) return MEMBER_OPERATION_WORDS[operation](member);
  if (operation === 'deployIdle' && (fleet === 'blue' || fleet === 'green'))
    return `deploying the idle (${fleet}) fleet`;
  return OPERATION_WORDS[operation];
}

/**
 * How a host operation ended, to follow its words: "removing the canary failed".
 *
 * @example
 * OUTCOME_WORDS.timedOut // 'timed out'
 */
export const OUTCOME_WORDS: Readonly<Record<CommandOutcome, string>> = {
  success: 'succeeded',
  failed: 'failed',
  timedOut: 'timed out',
  cancelled: 'was cancelled',
};

/** `Finished deploying the canary` or `Deploying the canary of payments failed`: the member as the medium writes it. */
export function commandOutcome(
  notice: { operation: HostOperationName; status: CommandOutcome },
  member?: string,
): string {
  const words = operationWords(notice.operation, undefined, member);
  return notice.status === 'success'
    ? `Finished ${words}`
    : `${capitalised(words)} ${OUTCOME_WORDS[notice.status]}`;
}

/** `On i-0b…, deploying the canary failed`: the host (and the member) as the medium writes them. */
export function hostResultWords(
  notice: { operation: HostOperationName; status: CommandOutcome },
  host: string,
  member?: string,
): string {
  return `On ${host}, ${operationWords(notice.operation, undefined, member)} ${OUTCOME_WORDS[notice.status]}`;
}

/** The first letter in capitals, for words that start a sentence. */
export function capitalised(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

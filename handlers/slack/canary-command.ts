import { isServiceName, isVersion } from '../../domain/patterns';
import { assertNever } from '../../domain/plan';
import type { StrategyChoice } from '../../domain/release-request';
import { COMMANDS, closestCommand, USAGE_LINES } from './canary-usage';
import { type GroupStartWords, isGroupStart, noGroupPlan, parseGroupStart } from './group-command';
import { type ListCommand, parseListCommand } from './list-command';
import { code, type Failure, fail, type Kind } from './parse-replies';
import { parseOptions } from './start-options';

/**
 * What a `/canary` command asks for. Every value in it has passed the shared patterns, so it is safe to hand on.
 *
 * @example
 * const command: CanaryCommand = { kind: 'start', service: 'orders-api', version: '1.4.2', percent: 10 };
 */
export type CanaryCommand =
  | (ReleaseWords & { readonly kind: 'start' })
  /** `start` for several services at once: ad hoc (`orders-api=1.4.2 payments=2.1.0`) or `group checkout`. */
  | GroupStartWords
  /** What `start` with the same words would do, changing nothing. */
  | (ReleaseWords & { readonly kind: 'plan' })
  | { readonly kind: 'status'; readonly service?: string }
  | { readonly kind: 'list' | 'services' }
  | {
      readonly kind: 'promote' | 'rollback' | 'abort' | 'retry' | 'history' | 'revert' | 'cancel';
      readonly service: string;
    }
  | { readonly kind: 'help' }
  /** A live routing list: `entry` has passed domain/routing-list-entries.ts. */
  | ListCommand
  /** `target` is a service name, or `all` for every service. */
  | { readonly kind: 'freeze'; readonly target: string; readonly reason?: string }
  | { readonly kind: 'unfreeze'; readonly target: string };

/** What `start` and `plan` take: a service, a version and the start options. */
interface ReleaseWords {
  readonly service: string;
  readonly version: string;
  readonly percent?: number;
  readonly windowSeconds?: number;
  readonly strategy?: StrategyChoice;
}

/**
 * A command, or the reason it is not one as Slack mrkdwn for an ephemeral reply (all user text in it escaped).
 *
 * @example
 * const parsed: ParsedCommand = { ok: false, message: 'Unknown command `deploy`. Try `/canary help`.' };
 */
export type ParsedCommand =
  | { readonly ok: true; readonly command: CanaryCommand }
  | { readonly ok: false; readonly message: string };

// Checked before any regex so a pasted megabyte costs one comparison.
const MAX_INPUT = 500;
/** A freeze's reason is shown in every refusal it causes: a line, not an essay. */
export const MAX_REASON = 200;
// `\s` covers U+00A0, U+3000 and friends; zero-width spaces arrive with copy-and-paste from docs.
const SEPARATORS = /[\s\u200B-\u200D\u2060]+/;
// Controls, format characters (bidi overrides) and lone surrogates could make a stored reason lie when shown.
const UNSAFE_IN_REASON = /[\p{Cc}\p{Cf}\p{Cs}]/u;

/**
 * Parses the text after `/canary` into a command, or into a reply saying what was wrong and what to type.
 *
 * @example
 * parseCanaryCommand('start orders-api 1.4.2 mirror=10 window=15m');
 * // { ok: true, command: { kind: 'start', service: 'orders-api', version: '1.4.2', percent: 10, windowSeconds: 900 } }
 */
export function parseCanaryCommand(text: string): ParsedCommand {
  if (text.length > MAX_INPUT) {
    return fail(
      `That command is ${text.length} characters long; \`/canary\` takes at most ${MAX_INPUT}. Try \`/canary help\`.`,
    );
  }
  const [word, ...args] = text.split(SEPARATORS).filter((token) => token !== '');
  if (word === undefined) return { ok: true, command: { kind: 'help' } };
  const kind = COMMANDS.get(word.toLowerCase());
  if (kind === undefined) return unknownCommand(word);
  switch (kind) {
    case 'start':
    case 'plan':
      return parseRelease(kind, args);
    case 'status':
      return args.length === 0 ? { ok: true, command: { kind } } : parseService(kind, args);
    case 'list':
    case 'services':
      return args.length === 0 ? { ok: true, command: { kind } } : extraWords(kind, args);
    // Whatever follows `help` is a topic the reader wants help on: the whole help answers it.
    case 'help':
      return { ok: true, command: { kind } };
    case 'promote':
    case 'rollback':
    case 'abort':
    case 'retry':
    case 'history':
    case 'revert':
    case 'cancel':
      return parseService(kind, args);
    case 'vip':
    case 'tester':
      return parseListCommand(kind, args);
    case 'freeze':
    case 'unfreeze':
      return parseFreeze(kind, args);
    default:
      return assertNever(kind);
  }
}

/** `start` and `plan`: a service, a version, then the options of `start`; or the words of a group. */
function parseRelease(kind: 'start' | 'plan', args: readonly string[]): ParsedCommand {
  if (isGroupStart(args)) return kind === 'start' ? parseGroupStart(args) : noGroupPlan();
  const [service, version, ...options] = args;
  const serviceProblem = checkService(kind, service);
  if (serviceProblem) return serviceProblem;
  const example = `\`/canary ${kind} ${service} 1.4.2\``;
  if (version === undefined || version.includes('=')) {
    return fail(`Missing the version to release: put it right after the service, e.g. ${example}.`, kind);
  }
  if (!isVersion(version)) {
    const rule =
      'use letters, digits, `.`, `_` and `-`, at most 64, starting with a letter or digit (a Docker tag)';
    return fail(`${code(version)} is not a version: ${rule}, e.g. ${example}.`, kind);
  }
  const parsed = parseOptions(options);
  if (!parsed.ok) {
    // The options' refusals end with the usage of `start`; `plan` takes the same options, and shows its own.
    const [startUsage, planUsage] = [USAGE_LINES.start[0], USAGE_LINES.plan[0]];
    return kind === 'start' ? parsed : { ok: false, message: parsed.message.replace(startUsage, planUsage) };
  }
  return { ok: true, command: { kind, service: service as string, version, ...parsed.value } };
}

function parseService(
  kind: 'status' | 'promote' | 'rollback' | 'abort' | 'retry' | 'history' | 'revert' | 'cancel',
  args: readonly string[],
): ParsedCommand {
  const [service, ...extra] = args;
  const problem = checkService(kind, service);
  if (problem) return problem;
  if (extra.length > 0) return extraWords(kind, extra);
  return { ok: true, command: { kind, service: service as string } };
}

/** `freeze ‹service|all› [reason…]` and `unfreeze ‹service|all›`; the reason is the rest of the line. */
function parseFreeze(kind: 'freeze' | 'unfreeze', args: readonly string[]): ParsedCommand {
  const [target, ...words] = args;
  const lower = target?.toLowerCase();
  const problem = lower === 'all' ? null : checkService(kind, target);
  if (problem) return problem;
  const chosen = lower === 'all' ? 'all' : (target as string);
  if (kind === 'unfreeze') {
    return words.length > 0 ? extraWords(kind, words) : { ok: true, command: { kind, target: chosen } };
  }
  const reason = words.join(' ');
  if (UNSAFE_IN_REASON.test(reason)) {
    return fail('The reason has control or invisible characters in it: type it as plain text.', kind);
  }
  if (Array.from(reason).length > MAX_REASON) {
    return fail(
      `The reason is ${Array.from(reason).length} characters long: keep it to ${MAX_REASON}.`,
      kind,
    );
  }
  return { ok: true, command: { kind, target: chosen, ...(reason ? { reason } : {}) } };
}

export function checkService(kind: Kind, service: string | undefined): Failure | null {
  const takesVersion = kind === 'start' || kind === 'plan';
  const example = `e.g. \`/canary ${kind} orders-api${takesVersion ? ' 1.4.2' : ''}\``;
  const orAll = kind === 'freeze' || kind === 'unfreeze' ? ' (or `all`)' : '';
  if (service === undefined || (takesVersion && service.includes('='))) {
    return fail(`Missing the service${orAll}: name it right after \`${kind}\`, ${example}.`, kind);
  }
  if (isServiceName(service)) return null;
  const lower = service.toLowerCase();
  if (isServiceName(lower)) {
    return fail(
      `${code(service)} is not a service name: names are lower-case, so type ${code(lower)}.`,
      kind,
    );
  }
  const rule = 'use 2 to 40 lower-case letters, digits and single hyphens, starting with a letter';
  return fail(`${code(service)} is not a service name: ${rule}, ${example}.`, kind);
}

function unknownCommand(word: string): Failure {
  const near = closestCommand(word.toLowerCase());
  const guess = near === undefined ? '' : ` Did you mean \`/canary ${near}\`?`;
  const names = [...new Set(COMMANDS.values())].map((name) => `\`${name}\``).join(', ');
  return fail(`Unknown command ${code(word)}.${guess} Try \`/canary help\`; the commands are ${names}.`);
}

function extraWords(kind: Kind, extra: readonly string[]): Failure {
  const [usage] = USAGE_LINES[kind];
  const what = `Unexpected ${code(extra.join(' '))} after \`${kind}\``;
  return fail(`${what}: type only \`${usage.replaceAll('[', '').replaceAll(']', '')}\`.`, kind);
}

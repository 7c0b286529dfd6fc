import { isServiceName, isVersion } from '../../domain/patterns';
import { assertNever } from '../../domain/plan';
import { MAX_STEPS, type StrategyChoice } from '../../domain/release-request';
import { COMMANDS, closestCommand, USAGE_LINES } from './canary-usage';
import { escapeMrkdwn } from './mrkdwn';

/**
 * What a `/canary` command asks for. Every value in it has passed the shared patterns, so it is safe to hand on.
 *
 * @example
 * const command: CanaryCommand = { kind: 'start', service: 'orders-api', version: '1.4.2', percent: 10 };
 */
export type CanaryCommand =
  | {
      readonly kind: 'start';
      readonly service: string;
      readonly version: string;
      readonly percent?: number;
      readonly windowSeconds?: number;
      readonly strategy?: StrategyChoice;
    }
  | { readonly kind: 'status'; readonly service?: string }
  | { readonly kind: 'list' }
  | { readonly kind: 'promote' | 'rollback' | 'abort' | 'retry' | 'history'; readonly service: string }
  | { readonly kind: 'help' };

/**
 * A command, or the reason it is not one as Slack mrkdwn for an ephemeral reply (all user text in it escaped).
 *
 * @example
 * const parsed: ParsedCommand = { ok: false, message: 'Unknown command `deploy`. Try `/canary help`.' };
 */
export type ParsedCommand =
  | { readonly ok: true; readonly command: CanaryCommand }
  | { readonly ok: false; readonly message: string };

type Kind = CanaryCommand['kind'];
type Failure = { readonly ok: false; readonly message: string };
type Parsed<T> = { readonly ok: true; readonly value: T } | Failure;
type StartOptions = Pick<Extract<CanaryCommand, { kind: 'start' }>, 'percent' | 'windowSeconds' | 'strategy'>;
type MutableOptions = { -readonly [K in keyof StartOptions]: StartOptions[K] };

// Checked before any regex so a pasted megabyte costs one comparison.
const MAX_INPUT = 500;
const MAX_MESSAGE = 1000;
const MAX_ECHO = 40;
const MAX_WINDOW_SECONDS = 7 * 24 * 3600;
// `\s` covers U+00A0, U+3000 and friends; zero-width spaces arrive with copy-and-paste from docs.
const SEPARATORS = /[\s\u200B-\u200D\u2060]+/;
// Backticks would end the inline code an echo sits in; controls, format characters (bidi overrides) and lone
// surrogates could make the echo lie about what was typed.
const UNSAFE_IN_ECHO = /[`\p{Cc}\p{Cf}\p{Cs}]/gu;

// Maps, not object literals: a typed `constructor` or `__proto__` must not find anything.
const OPTION_KEYS: ReadonlyMap<string, keyof StartOptions> = new Map([
  ['mirror', 'percent'],
  ['window', 'windowSeconds'],
  ['strategy', 'strategy'],
]);

const PARSE_OPTION: Readonly<Record<keyof StartOptions, (value: string) => Parsed<unknown>>> = {
  percent: parsePercent,
  windowSeconds: parseWindow,
  strategy: parseStrategy,
};

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
      return parseStart(args);
    case 'status':
      return args.length === 0 ? { ok: true, command: { kind } } : parseService(kind, args);
    case 'list':
      return args.length === 0 ? { ok: true, command: { kind } } : extraWords(kind, args);
    // Whatever follows `help` is a topic the reader wants help on: the whole help answers it.
    case 'help':
      return { ok: true, command: { kind } };
    case 'promote':
    case 'rollback':
    case 'abort':
    case 'retry':
    case 'history':
      return parseService(kind, args);
    default:
      return assertNever(kind);
  }
}

/**
 * Seconds in a duration such as `90s`, `15m`, `1h30m`, `2d` or bare seconds (`900`); null when it is not one.
 *
 * @example
 * parseDuration('1h30m'); // 5400
 */
export function parseDuration(text: string): number | null {
  if (text.length > 32) return null;
  if (/^\d{1,9}$/.test(text)) return Number(text);
  const match = /^(?:(\d{1,6})d)?(?:(\d{1,7})h)?(?:(\d{1,9})m)?(?:(\d{1,9})s)?$/i.exec(text);
  if (text === '' || match === null) return null;
  const [, days, hours, minutes, seconds] = match;
  return (
    Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)
  );
}

function parseStart(args: readonly string[]): ParsedCommand {
  const [service, version, ...options] = args;
  const serviceProblem = checkService('start', service);
  if (serviceProblem) return serviceProblem;
  const example = `\`/canary start ${service} 1.4.2\``;
  if (version === undefined || version.includes('=')) {
    return failStart(`Missing the version to release: put it right after the service, e.g. ${example}.`);
  }
  if (!isVersion(version)) {
    const rule =
      'use letters, digits, `.`, `_` and `-`, at most 64, starting with a letter or digit (a Docker tag)';
    return failStart(`${code(version)} is not a version: ${rule}, e.g. ${example}.`);
  }
  const parsed = parseOptions(options);
  if (!parsed.ok) return parsed;
  return { ok: true, command: { kind: 'start', service: service as string, version, ...parsed.value } };
}

function parseService(
  kind: 'status' | 'promote' | 'rollback' | 'abort' | 'retry' | 'history',
  args: readonly string[],
): ParsedCommand {
  const [service, ...extra] = args;
  const problem = checkService(kind, service);
  if (problem) return problem;
  if (extra.length > 0) return extraWords(kind, extra);
  return { ok: true, command: { kind, service: service as string } };
}

function checkService(kind: Kind, service: string | undefined): Failure | null {
  const example = `e.g. \`/canary ${kind} orders-api${kind === 'start' ? ' 1.4.2' : ''}\``;
  if (service === undefined || (kind === 'start' && service.includes('='))) {
    return fail(`Missing the service: name it right after \`${kind}\`, ${example}.`, kind);
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

function parseOptions(words: readonly string[]): Parsed<StartOptions> {
  const options: MutableOptions = {};
  for (const word of words) {
    const equals = word.indexOf('=');
    if (equals < 0) {
      const rule = 'after the version come only options, written `name=value` without spaces';
      return failStart(`Unexpected ${code(word)}: ${rule}, e.g. \`mirror=10 window=15m\`.`);
    }
    const name = word.slice(0, equals).toLowerCase();
    const value = word.slice(equals + 1);
    const parsed = parseOption(name, value, options);
    if (!parsed.ok) return parsed;
  }
  const chosen = options.strategy?.kind;
  if (options.percent !== undefined && chosen !== undefined && chosen !== 'mirror') {
    const fix = 'drop `mirror=`, or use `strategy=mirror`';
    const name = chosen === 'steps' ? 'steps' : 'blue-green';
    return failStart(
      `\`mirror=\` sets the share of mirrored requests, but \`strategy=${name}\` does not mirror: ${fix}.`,
    );
  }
  return { ok: true, value: options };
}

/** Parses one option into `options`, refusing a second occurrence. */
function parseOption(name: string, value: string, options: MutableOptions): Parsed<true> {
  const key = OPTION_KEYS.get(name);
  if (key === undefined) {
    const known = '`mirror=‹percent›`, `window=‹duration›` and `strategy=‹mirror|steps|blue-green›`';
    return failStart(`Unknown option ${code(`${name}=`)}: the options are ${known}.`);
  }
  if (options[key] !== undefined) {
    return failStart(`\`${name}=\` is given twice: give each option once.`);
  }
  const parsed = PARSE_OPTION[key](value);
  if (!parsed.ok) return parsed;
  Object.assign(options, { [key]: parsed.value });
  return { ok: true, value: true };
}

function parsePercent(value: string): Parsed<number> {
  const [shown, example] = [code(`mirror=${value}`), 'e.g. `mirror=10` or `mirror=2.5`'];
  const match = /^\d+(?:\.(\d+))?%?$/.exec(value);
  if (match === null)
    return failStart(`${shown} is not a percentage: use a number from 0.01 to 100, ${example}.`);
  if ((match[1] ?? '').length > 2)
    return failStart(`${shown} has more than 2 decimals: round it, ${example}.`);
  const percent = Number(value.replace(/%$/, ''));
  if (!(percent >= 0.01 && percent <= 100)) {
    return failStart(`${shown} is out of range: the share is 0.01 to 100 percent, ${example}.`);
  }
  return { ok: true, value: percent };
}

function parseWindow(value: string): Parsed<number> {
  const seconds = parseDuration(value);
  const forms = 'e.g. `window=90s`, `window=15m`, `window=1h30m` or `window=900` (seconds)';
  if (seconds === null) {
    return failStart(`${code(`window=${value}`)} is not a duration: use ${forms}.`);
  }
  if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
    return failStart(`${code(`window=${value}`)} is out of range: use 1 second to 7 days, ${forms}.`);
  }
  return { ok: true, value: seconds };
}

function parseStrategy(value: string): Parsed<StrategyChoice> {
  const lower = value.toLowerCase();
  if (lower === 'mirror' || lower === 'steps') return { ok: true, value: { kind: lower } };
  if (lower === 'blue-green' || lower === 'bluegreen') return { ok: true, value: { kind: 'blueGreen' } };
  if (lower.startsWith('steps:')) return parseSteps(value.slice('steps:'.length));
  const forms = '`strategy=mirror`, `strategy=steps`, `strategy=steps:5,25,50,100` or `strategy=blue-green`';
  return failStart(`${code(`strategy=${value}`)} is not a strategy: use ${forms}.`);
}

function parseSteps(list: string): Parsed<StrategyChoice> {
  const example = 'e.g. `strategy=steps:5,25,50,100`';
  const parts = list.split(',');
  if (parts.length > MAX_STEPS) {
    return failStart(`\`strategy=steps\` has ${parts.length} steps: give 1 to ${MAX_STEPS}, ${example}.`);
  }
  const steps: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}(?:\.\d{1,2})?$/.test(part) || Number(part) > 100) {
      const what = part === '' ? 'An empty step' : `The step ${code(part)}`;
      const rule =
        'each step is a percentage from 0 to 100 with at most 2 decimals, separated by commas without spaces';
      return failStart(`${what} in \`strategy=steps:\` is not allowed: ${rule}, ${example}.`);
    }
    const step = Number(part);
    const previous = steps.at(-1);
    if (previous !== undefined && step <= previous) {
      const found = `\`${part}\` comes after \`${previous}\``;
      return failStart(`Steps must rise, but ${found}: list them from low to high, ${example}.`);
    }
    steps.push(step);
  }
  return { ok: true, value: { kind: 'steps', steps } };
}

function unknownCommand(word: string): Failure {
  const near = closestCommand(word.toLowerCase());
  const guess = near === undefined ? '' : ` Did you mean \`/canary ${near}\`?`;
  const names = Object.keys(USAGE_LINES)
    .map((name) => `\`${name}\``)
    .join(', ');
  return fail(`Unknown command ${code(word)}.${guess} Try \`/canary help\`; the commands are ${names}.`);
}

function extraWords(kind: Kind, extra: readonly string[]): Failure {
  const [usage] = USAGE_LINES[kind];
  const what = `Unexpected ${code(extra.join(' '))} after \`${kind}\``;
  return fail(`${what}: type only \`${usage.replaceAll('[', '').replaceAll(']', '')}\`.`, kind);
}

/** User text as inline code: escaped, without what could break out of the code span, at most 40 characters. */
function code(text: string): string {
  const chars = Array.from(text.replace(UNSAFE_IN_ECHO, ''));
  if (chars.length === 0) return '(text that cannot be shown)';
  const short = chars.length > MAX_ECHO ? `${chars.slice(0, MAX_ECHO - 1).join('')}…` : chars.join('');
  return `\`${escapeMrkdwn(short)}\``;
}

function failStart(reason: string): Failure {
  return fail(reason, 'start');
}

function fail(reason: string, kind?: Kind): Failure {
  const usage = kind === undefined ? '' : `\nUsage: \`${USAGE_LINES[kind][0]}\``;
  // A guard, not a path: every reason is far shorter, but a reply must never be refused by Slack.
  return { ok: false, message: `${reason}${usage}`.slice(0, MAX_MESSAGE) };
}

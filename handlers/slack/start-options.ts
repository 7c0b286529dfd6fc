import { isServiceName, isVersion } from '../../domain/patterns';
import type { StrategyChoice } from '../../domain/release-request';
import { MAX_STEPS } from '../../domain/release-request';
import type { CanaryCommand } from './canary-command';
import { code, failStart, type Parsed } from './parse-replies';

/** The options of `/canary start` (`mirror=`, `window=`, `strategy=`), each parsed into a safe value or a reply. */
export type StartOptions = Pick<
  Extract<CanaryCommand, { kind: 'start' }>,
  'percent' | 'windowSeconds' | 'strategy'
>;
type MutableOptions = { -readonly [K in keyof StartOptions]: StartOptions[K] };

const MAX_WINDOW_SECONDS = 7 * 24 * 3600;

// Maps, not object literals: a typed `constructor` or `__proto__` must not find anything.
const OPTION_KEYS: ReadonlyMap<string, keyof StartOptions> = new Map([
  ['mirror', 'percent'],
  ['window', 'windowSeconds'],
  ['strategy', 'strategy'],
]);

/**
 * True when `name` (as typed before `=`) is one of the options of `start`: what tells an option word from a
 * group's `service=version` word.
 *
 * @example
 * isStartOption('Window'); // true
 */
export function isStartOption(name: string): boolean {
  return OPTION_KEYS.has(name.toLowerCase());
}

const PARSE_OPTION: Readonly<Record<keyof StartOptions, (value: string) => Parsed<unknown>>> = {
  percent: parsePercent,
  windowSeconds: parseWindow,
  strategy: parseStrategy,
};

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

/**
 * The options as `parseOptions` reads them back: what a plan preview's Run button carries, so that the click is
 * checked again as typed text rather than trusted.
 *
 * @example
 * optionWords({ percent: 10, strategy: { kind: 'steps', steps: [5, 25, 100], mirrorFirst: true } })
 * // ['mirror=10', 'strategy=mirror,steps:5,25,100']
 */
export function optionWords(options: StartOptions): string[] {
  const { percent, windowSeconds, strategy } = options;
  return [
    ...(percent === undefined ? [] : [`mirror=${percent}`]),
    ...(windowSeconds === undefined ? [] : [`window=${windowSeconds}`]),
    ...(strategy === undefined ? [] : [`strategy=${strategyWord(strategy)}`]),
  ];
}

function strategyWord(strategy: StrategyChoice): string {
  if (strategy.kind === 'mirror') return 'mirror';
  if (strategy.kind === 'blueGreen') return 'blue-green';
  const steps = strategy.steps === undefined ? 'steps' : `steps:${strategy.steps.join(',')}`;
  return strategy.mirrorFirst ? `mirror,${steps}` : steps;
}

export function parseOptions(words: readonly string[]): Parsed<StartOptions> {
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
  const mirrorsFirst = options.strategy?.kind === 'steps' && options.strategy.mirrorFirst === true;
  if (options.percent !== undefined && chosen !== undefined && chosen !== 'mirror' && !mirrorsFirst) {
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
    // `start orders-api 1.4.2 payments=2.1.0` was meant as a group: say how a group is written.
    const group =
      isServiceName(name) && isVersion(value)
        ? ' To release several services together, write every one as `service=version`: `/canary start orders-api=1.4.2 payments=2.1.0`.'
        : '';
    return failStart(`Unknown option ${code(`${name}=`)}: the options are ${known}.${group}`);
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

export function parseWindow(value: string): Parsed<number> {
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
  // `mirror,steps` or `mirror,steps:5,25,100`: a mirrored window first, then the steps.
  if (lower === 'mirror,steps' || lower.startsWith('mirror,steps:')) {
    const steps =
      lower === 'mirror,steps'
        ? { ok: true as const, value: { kind: 'steps' as const } }
        : parseSteps(value.slice('mirror,steps:'.length));
    return steps.ok ? { ok: true, value: { ...steps.value, kind: 'steps', mirrorFirst: true } } : steps;
  }
  if (lower === 'mirror' || lower === 'steps') return { ok: true, value: { kind: lower } };
  if (lower === 'blue-green' || lower === 'bluegreen') return { ok: true, value: { kind: 'blueGreen' } };
  if (lower.startsWith('steps:')) return parseSteps(value.slice('steps:'.length));
  const forms =
    '`strategy=mirror`, `strategy=steps`, `strategy=steps:5,25,50,100`, `strategy=mirror,steps:5,25,100` or `strategy=blue-green`';
  return failStart(`${code(`strategy=${value}`)} is not a strategy: use ${forms}.`);
}

export function parseSteps(list: string): Parsed<StrategyChoice> {
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

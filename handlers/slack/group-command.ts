import { buildGroupsSchema, MAX_GROUP_MEMBERS } from '../../domain/group';
import { isServiceName, isVersion } from '../../domain/patterns';
import type { ParsedCommand } from './canary-command';
import { code, type Failure, fail, type Parsed } from './parse-replies';
import { isStartOption, parseSteps, parseWindow } from './start-options';

/**
 * `/canary start` for several services at once (app/start-group.ts): ad hoc, `orders-api=1.4.2 payments=2.1.0`
 * in call order, or a configured group by name, `group checkout [orders-api=1.4.3]`. Each value has passed the
 * shared patterns.
 *
 * @example
 * const command: GroupStartWords = { kind: 'startGroup', members: [{ service: 'front', version: '2.0.1' }, …] };
 */
export interface GroupStartWords {
  readonly kind: 'startGroup';
  /** A group configured on its entry service; absent for an ad hoc group. */
  readonly group?: string;
  /** Ad hoc: every member in call order, the entry first. Named: versions that replace the group's own. */
  readonly members: readonly MemberWords[];
  /** The entry's share of users at each step; the entry's own steps when absent. */
  readonly steps?: readonly number[];
  readonly windowSeconds?: number;
}

export interface MemberWords {
  readonly service: string;
  readonly version: string;
}

type Settings = { -readonly [K in 'steps' | 'windowSeconds']?: GroupStartWords[K] };

const GROUP_KEYWORD = 'group';
// The rule a service's configuration holds its groups' names to, so a configured name is never refused here.
const GROUP_NAME = buildGroupsSchema().element.shape.name;
const isGroupName = (name: string) => GROUP_NAME.safeParse(name).success;
const ONLY_STEPS =
  'A group release routes by the tag in steps: the entry sends a rising share of users down the new path';
const VERSION_RULE =
  'use letters, digits, `.`, `_` and `-`, at most 64, starting with a letter or digit (a Docker tag)';

/**
 * True when the words after `start` ask for a group: `group ‹name›`, or a `service=version` word while the
 * first word is written `name=value` (options may come first). Options are told apart from members by name.
 *
 * @example
 * isGroupStart(['orders-api=1.4.2', 'payments=2.1.0']); // true
 * isGroupStart(['orders-api', '1.4.2', 'mirror=10']); // false
 */
export function isGroupStart(args: readonly string[]): boolean {
  const [first] = args;
  if (first === undefined) return false;
  return first.toLowerCase() === GROUP_KEYWORD || (first.includes('=') && args.some(isMemberWord));
}

function isMemberWord(word: string): boolean {
  const equals = word.indexOf('=');
  return equals >= 0 && !isStartOption(word.slice(0, equals));
}

/**
 * Reads the words after `start` as a group release, or says what is wrong with the first word that is.
 *
 * @example
 * parseGroupStart(['group', 'checkout', 'orders-api=1.4.3', 'window=15m']);
 * // { ok: true, command: { kind: 'startGroup', group: 'checkout', members: [{ service: 'orders-api', … }], … } }
 */
export function parseGroupStart(args: readonly string[]): ParsedCommand {
  const named = args[0]?.toLowerCase() === GROUP_KEYWORD;
  const name = named ? checkGroupName(args[1]) : null;
  if (name !== null && !name.ok) return name;
  const members: MemberWords[] = [];
  const settings: Settings = {};
  const given = new Set<string>();
  for (const word of named ? args.slice(2) : args) {
    const problem = takeWord(word, members, settings, given);
    if (problem) return problem;
  }
  const counted = countProblem(members, named);
  if (counted) return counted;
  const group = name?.value;
  return { ok: true, command: { kind: 'startGroup', ...(group ? { group } : {}), members, ...settings } };
}

/** One word: a member into `members`, an option into `settings` (its name into `given`), or the reply to it. */
function takeWord(
  word: string,
  members: MemberWords[],
  settings: Settings,
  given: Set<string>,
): Failure | null {
  const equals = word.indexOf('=');
  if (equals < 0) return strayWord(word);
  const [name, value] = [word.slice(0, equals), word.slice(equals + 1)];
  if (isStartOption(name)) {
    const option = name.toLowerCase();
    if (given.has(option)) return failGroup(`\`${option}=\` is given twice: give each option once.`);
    given.add(option);
    return takeOption(option, value, settings);
  }
  const member = parseMember(name, value);
  if (!member.ok) return member;
  if (members.some((m) => m.service === member.value.service)) {
    return failGroup(`${code(name)} is named twice: name each service once, with the version to release.`);
  }
  members.push(member.value);
  return null;
}

function parseMember(name: string, value: string): Parsed<MemberWords> {
  const example = 'e.g. `orders-api=1.4.2`';
  if (name === '') {
    return failGroup(
      `Missing the service before ${code(`=${value}`)}: write each member as \`service=version\`, ${example}.`,
    );
  }
  if (!isServiceName(name)) {
    const lower = name.toLowerCase();
    if (isServiceName(lower)) {
      return failGroup(
        `${code(name)} is not a service name: names are lower-case, so type ${code(`${lower}=${value}`)}.`,
      );
    }
    const rule = 'use 2 to 40 lower-case letters, digits and single hyphens, starting with a letter';
    return failGroup(`${code(name)} is not a service name: ${rule}, ${example}.`);
  }
  const mine = `e.g. ${code(`${name}=1.4.2`)}`;
  if (value === '')
    return failGroup(`Missing the version of ${code(name)}: put it right after the \`=\`, ${mine}.`);
  if (isVersion(value)) return { ok: true, value: { service: name, version: value } };
  if (name === 'steps') {
    return failGroup(
      `${code(`steps=${value}`)} is not an option: write the steps as \`strategy=steps:5,25,100\`.`,
    );
  }
  return failGroup(`${code(value)} is not a version of ${code(name)}: ${VERSION_RULE}, ${mine}.`);
}

/** `window=` and `strategy=steps…`, each once; mirroring and blue/green are not what a group does. */
function takeOption(name: string, value: string, settings: Settings): Failure | null {
  const key = name === 'window' ? 'windowSeconds' : name === 'strategy' ? 'steps' : null;
  if (key === null) {
    return failGroup(
      `${ONLY_STEPS}; it never mirrors, so \`mirror=\` does not apply: drop it, and give the shares as \`strategy=steps:5,25,100\`.`,
    );
  }
  const parsed = key === 'windowSeconds' ? parseWindow(value) : groupSteps(value);
  if (!parsed.ok) return asGroupFailure(parsed);
  // `strategy=steps` leaves the steps to the entry: no key at all, as a command without the option.
  if (parsed.value !== undefined) Object.assign(settings, { [key]: parsed.value });
  return null;
}

/** `steps` (the entry's own, so nothing is set) or `steps:5,25,100`, every share above 0. */
function groupSteps(value: string): Parsed<readonly number[] | undefined> {
  const lower = value.toLowerCase();
  if (lower === 'steps') return { ok: true, value: undefined };
  if (lower.startsWith('steps:')) {
    const parsed = parseSteps(value.slice('steps:'.length));
    if (!parsed.ok) return parsed;
    const steps = parsed.value.kind === 'steps' ? (parsed.value.steps ?? []) : [];
    if (steps[0] === 0) {
      return failGroup(
        'A group’s steps start above `0`: at each step the entry sends some users down the new path, e.g. `strategy=steps:5,25,100`.',
      );
    }
    return { ok: true, value: steps };
  }
  const shown = code(`strategy=${value}`);
  if (lower.startsWith('mirror') || lower === 'blue-green' || lower === 'bluegreen') {
    const what = lower.startsWith('mirror') ? 'it never mirrors' : 'it switches no listener (blue/green)';
    return failGroup(
      `${ONLY_STEPS}; ${what}, so ${shown} does not apply: use \`strategy=steps\` (the entry’s own) or \`strategy=steps:5,25,100\`.`,
    );
  }
  return failGroup(
    `${shown} is not a strategy for a group: use \`strategy=steps\` (the entry’s own) or \`strategy=steps:5,25,100\`.`,
  );
}

function checkGroupName(name: string | undefined): Parsed<string> {
  const example = 'e.g. `/canary start group checkout`';
  if (name === undefined || name.includes('=')) {
    return failGroup(`Missing the group’s name: name it right after \`group\`, ${example}.`);
  }
  if (isGroupName(name)) return { ok: true, value: name };
  if (isGroupName(name.toLowerCase())) {
    return failGroup(
      `${code(name)} is not a group name: names are lower-case, so type ${code(name.toLowerCase())}.`,
    );
  }
  const rule = 'use a lower-case letter, then up to 39 lower-case letters, digits and hyphens';
  return failGroup(`${code(name)} is not a group name: ${rule}, ${example}.`);
}

function strayWord(word: string): Failure {
  if (word.toLowerCase() === GROUP_KEYWORD) {
    return failGroup(
      '`group` comes right after `start`, with the group’s name: `/canary start group checkout`.',
    );
  }
  const form = 'write each member as `service=version` without spaces';
  if (isServiceName(word))
    return failGroup(`${code(word)} has no version: ${form}, e.g. ${code(`${word}=1.4.2`)}.`);
  if (isVersion(word)) {
    return failGroup(
      `${code(word)} does not say which service it is for: ${form}, e.g. ${code(`orders-api=${word}`)}.`,
    );
  }
  const takes =
    'a group release takes `service=version` words and the options `window=` and `strategy=steps:…`';
  return failGroup(
    `Unexpected ${code(word)}: ${takes}, e.g. \`/canary start orders-api=1.4.2 payments=2.1.0 window=15m\`.`,
  );
}

function countProblem(members: readonly MemberWords[], named: boolean): Failure | null {
  if (members.length > MAX_GROUP_MEMBERS) {
    return failGroup(
      `A group release takes at most ${MAX_GROUP_MEMBERS} services, and this names ${members.length}: release the rest in another group, or on their own.`,
    );
  }
  const [only] = members;
  if (named || members.length !== 1 || only === undefined) return null;
  const alone = `\`/canary start ${only.service} ${only.version}\``;
  return failGroup(
    `A group release needs at least two services, and this names only ${code(only.service)}: add the others as \`service=version\`, e.g. \`/canary start orders-api=1.4.2 payments=2.1.0\`. To release it alone, type ${alone}.`,
  );
}

function failGroup(reason: string): Failure {
  return fail(reason, 'startGroup');
}

/** A refusal of `start`'s option parsers, with the usage of the group forms instead of `start`'s. */
function asGroupFailure(failure: Failure): Failure {
  const [reason] = failure.message.split('\nUsage: ');
  return failGroup(reason ?? failure.message);
}

/**
 * `/canary plan` previews one service: with a group's words it says so, and how to start the group.
 *
 * @example
 * noGroupPlan().message; // 'A group release has no preview yet: …'
 */
export function noGroupPlan(): Failure {
  const start = '`/canary start orders-api=1.4.2 payments=2.1.0` or `/canary start group ‹group›`';
  return fail(
    `A group release has no preview yet: \`/canary plan\` takes one service. Start the group with ${start}.`,
    'plan',
  );
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import { MAX_GROUP_MEMBERS } from '../../domain/group';
import { isServiceName, isVersion } from '../../domain/patterns';
import { MAX_STEPS } from '../../domain/release-request';
import { type CanaryCommand, parseCanaryCommand } from '../../handlers/slack/canary-command';
import { serviceName, validCommand, version, wordsOf } from './canary-command-words';

/*
 * Whatever a Slack user types, the parser answers: either a command whose every value is safe to hand to the
 * engine (and on to a shell on a host), or a short reply in which no user text can become a mention or a link.
 */

const RUNS = { numRuns: 10_000 };
const SUB_COMMANDS =
  'start status list services promote rollback roll-back abort retry history help freeze unfreeze'.split(' ');
const SOUP = [...';|&$()`<>\\\'"\n*=,:%.-'];
const SPACES = [' ', '  ', '\t', '\n', '\u00a0', '\u3000', '\u2028', '\u200b'];
// A lone surrogate, a skin-toned emoji, case-mapping traps, a bidi override, and ready-made mentions.
const STRANGE = [...'éİßﬁ\u0000\u202e\u200d', '\ud800', '👍🏽', '<!channel>', '<@U123>', '&amp;'];

/** Raises a failed expectation when a parsed command carries a value the engine must never see. */
function expectSafeCommand(command: CanaryCommand): void {
  if ('service' in command && command.service !== undefined) {
    expect(isServiceName(command.service)).toBe(true);
  }
  if (command.kind === 'freeze' || command.kind === 'unfreeze') {
    expect(command.target === 'all' || isServiceName(command.target)).toBe(true);
    // A reason is at most 200 characters of visible text, single-spaced, as it will be shown in refusals.
    const reason = 'reason' in command ? (command.reason ?? '') : '';
    expect(Array.from(reason).length <= 200 && !/[\p{Cc}\p{Cf}\p{Cs}]|^\s|\s$|\s\s/u.test(reason)).toBe(true);
  }
  if (command.kind === 'startGroup') {
    expectSafeGroup(command);
    return;
  }
  if (command.kind !== 'start') return;
  expect(isVersion(command.version)).toBe(true);
  const { percent, windowSeconds: seconds, strategy: choice } = command;
  if (percent !== undefined) {
    expect(percent >= 0.01 && percent <= 100 && Math.round(percent * 100) / 100 === percent).toBe(true);
  }
  if (seconds !== undefined) {
    expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 604_800).toBe(true);
  }
  if (choice?.kind === 'steps' && choice.steps !== undefined) {
    const list = choice.steps;
    expect(list.length >= 1 && list.length <= MAX_STEPS).toBe(true);
    expect(list.every((p, i) => p >= 0 && p <= 100 && (i === 0 || p > (list[i - 1] ?? 0)))).toBe(true);
  }
  expect(percent !== undefined && choice !== undefined && choice.kind !== 'mirror').toBe(false);
}

/** A group: safe members, each once, two or more unless named; rising steps above 0; a window in bounds. */
function expectSafeGroup(command: Extract<CanaryCommand, { kind: 'startGroup' }>): void {
  const names = command.members.map((m) => m.service);
  expect(names.every(isServiceName) && command.members.every((m) => isVersion(m.version))).toBe(true);
  expect(new Set(names).size).toBe(names.length);
  expect(names.length <= MAX_GROUP_MEMBERS && (command.group !== undefined || names.length >= 2)).toBe(true);
  if (command.group !== undefined) expect(command.group).toMatch(/^[a-z][a-z0-9-]{0,39}$/);
  const list = command.steps ?? [100];
  expect(list.length >= 1 && list.length <= MAX_STEPS).toBe(true);
  expect(list.every((p, i) => p > 0 && p <= 100 && (i === 0 || p > (list[i - 1] ?? 0)))).toBe(true);
  const seconds = command.windowSeconds ?? 1;
  expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 604_800).toBe(true);
}

/** Raises a failed expectation when a reply could ping a channel, link out, or break its code spans. */
function expectSafeMessage(message: string): void {
  expect(message.length).toBeGreaterThan(0);
  expect(message.length).toBeLessThanOrEqual(1000);
  expect(message).not.toMatch(/[<>]/);
  expect(message).not.toMatch(/\p{Cs}/u);
  expect(message.split('`').length % 2).toBe(1);
}

const soup = fc
  .array(
    fc.constantFrom(...SOUP, ...SPACES, ...STRANGE, 'start', 'orders-api', '1.4.2', 'mirror=', 'window='),
    {
      maxLength: 60,
    },
  )
  .map((pieces) => pieces.join(''));

const longText = fc
  .tuple(
    fc.constantFrom(...SUB_COMMANDS),
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.integer({ min: 1, max: 1000 }),
  )
  .map(([word, chunk, times]) => `${word} ${chunk.repeat(times)}`.slice(0, 5000));

/** A valid word with one hostile character inserted somewhere in it. */
const mutate = (word: fc.Arbitrary<string>) =>
  fc.tuple(word, fc.nat(), fc.constantFrom(...SOUP, ...STRANGE, ...SPACES)).map(([valid, at, inserted]) => {
    const cut = at % (valid.length + 1);
    return `${valid.slice(0, cut)}${inserted}${valid.slice(cut)}`;
  });
const validOption = fc.constantFrom('mirror=10', 'window=15m', 'strategy=steps:5,25', 'strategy=mirror');
const mutated = mutate(fc.oneof(serviceName, version, validOption));

const optionWord = fc
  .tuple(
    fc.constantFrom('mirror', 'window', 'strategy', 'MIRROR', 'percent', ''),
    fc.string({ maxLength: 12 }),
  )
  .map(([name, value]) => `${name}=${value}`);

const nearValid = fc
  .tuple(
    fc.constantFrom(...SUB_COMMANDS, 'START', 'Roll-Back', 'deploy', 'promte'),
    fc.array(fc.oneof(serviceName, version, mutated, optionWord), { maxLength: 6 }),
    fc.constantFrom(...SPACES),
  )
  .map(([word, args, space]) => [word, ...args].join(space));

const optionValue = fc.oneof(
  fc.constantFrom(
    '10',
    '0',
    '0.01',
    '100',
    '101',
    '2.555',
    '1e2',
    'ten',
    '15m',
    '1h30m',
    '8d',
    '900',
    '-1',
    '',
  ),
  fc.constantFrom(
    'mirror',
    'steps',
    'STEPS',
    'steps:5,25,50,100',
    'steps:50,5',
    'steps:5,,50',
    'steps:1,2,3,4,5,6,7,8,9,10,11',
  ),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ maxLength: 10 }),
);

/** `start` with a valid skeleton whose arguments and options are sometimes right, sometimes subtly wrong. */
const nearValidStart = fc
  .tuple(
    fc.oneof({ weight: 3, arbitrary: serviceName }, mutate(serviceName)),
    fc.oneof({ weight: 3, arbitrary: version }, mutate(version)),
    fc.array(
      fc.oneof(
        { weight: 3, arbitrary: validOption },
        fc
          .tuple(fc.constantFrom('mirror', 'window', 'strategy', 'Window'), optionValue)
          .map(([n, v]) => `${n}=${v}`),
        mutate(validOption),
        optionWord,
      ),
      { maxLength: 4 },
    ),
  )
  .map(([service, tag, options]) => ['start', service, tag, ...options].join(' '));

/** `start` with group words: members, options and the `group` keyword, sometimes subtly wrong. */
const nearValidGroup = fc
  .tuple(
    fc.oneof(fc.constant([]), fc.tuple(fc.constantFrom('group', 'GROUP'), fc.oneof(serviceName, mutated))),
    fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.tuple(serviceName, version).map(([s, v]) => `${s}=${v}`) },
        mutate(fc.tuple(serviceName, version).map(([s, v]) => `${s}=${v}`)),
        fc
          .tuple(fc.constantFrom('mirror', 'window', 'strategy', 'steps', 'Window'), optionValue)
          .map(([n, v]) => `${n}=${v}`),
        validOption,
        fc.constantFrom('group', 'orders-api', '1.4.2', '=', '=1.4.2', 'payments='),
      ),
      { maxLength: 8 },
    ),
  )
  .map(([named, words]) => ['start', ...named, ...words].join(' '));

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
  soup,
  longText,
  nearValid,
  nearValidStart,
  nearValidGroup,
);

describe('parseCanaryCommand properties', () => {
  it('never throws on hostile text, and returns only safe commands or safe replies', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        // Act
        const parsed = parseCanaryCommand(text);

        // Assess
        if (parsed.ok) expectSafeCommand(parsed.command);
        else expectSafeMessage(parsed.message);
      }),
      RUNS,
    );
  });

  it('reads back every valid command it is given as text, in any option order, case and spacing', () => {
    fc.assert(
      fc.property(
        validCommand,
        fc.shuffledSubarray([0, 1, 2], { minLength: 3 }),
        fc.boolean(),
        fc.constantFrom(...SPACES),
        fc.boolean(),
        (command, order, bareSeconds, space, shout) => {
          // Prepare
          const [word = '', ...rest] = wordsOf(command, order, bareSeconds);
          const text = ` ${[shout ? word.toUpperCase() : word, ...rest].join(space)} `;

          // Act
          const parsed = parseCanaryCommand(text);

          // Assess
          expect(parsed).toStrictEqual({ ok: true, command });
        },
      ),
      RUNS,
    );
  });

  it('leaves no raw angle bracket in escaped text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        expect(escapeMrkdwn(text)).not.toMatch(/[<>]/);
      }),
      RUNS,
    );
  });
});

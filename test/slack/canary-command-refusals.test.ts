import { describe, expect, it } from 'vitest';
import { commandOf, refusalOf, START_USAGE } from './canary-command-fixtures';

describe('parseCanaryCommand: refusals', () => {
  it('names an unknown command and points to help with the list of commands', () => {
    // Act
    const message = refusalOf('deploy orders-api 1.4.2');

    // Assess
    expect(message).toMatch(/^Unknown command `deploy`\. Try `\/canary help`/);
    expect(message).toContain('`start`, `plan`, `status`, `list`');
  });

  it('suggests the command a typo was meant to be', () => {
    expect(refusalOf('promte orders-api')).toContain('Did you mean `/canary promote`?');
  });

  it.each(['start', 'promote', 'rollback', 'abort', 'retry', 'history'])(
    'says %s is missing its service and shows its usage',
    (kind) => {
      // Act
      const message = refusalOf(kind);

      // Assess
      expect(message).toContain(`Missing the service: name it right after \`${kind}\``);
      expect(message).toContain(`\`/canary ${kind} orders-api`);
      expect(message).toContain(`Usage: \`/canary ${kind} ‹service›`);
    },
  );

  it('says the service is missing when start goes straight to options', () => {
    expect(refusalOf('start mirror=10')).toContain('Missing the service');
  });

  it.each(['orders_api', '-orders', 'orders--api', 'o', 'a'.repeat(41), '9orders'])(
    'refuses %s as a service name and says what a name looks like',
    (service) => {
      // Act
      const message = refusalOf(`promote ${service}`);

      // Assess
      expect(message).toContain(
        'is not a service name: use 2 to 40 lower-case letters, digits and single hyphens',
      );
      expect(message).toContain('e.g. `/canary promote orders-api`');
    },
  );

  it('offers the lower-case spelling of an upper-case service name', () => {
    expect(refusalOf('status Orders-API')).toContain(
      '`Orders-API` is not a service name: names are lower-case, so type `orders-api`.',
    );
  });

  it('says the version is missing and shows where it goes', () => {
    // Act
    const bare = refusalOf('start orders-api');
    const withOptions = refusalOf('start orders-api mirror=10');

    // Assess
    for (const message of [bare, withOptions]) {
      expect(message).toContain('Missing the version to release: put it right after the service');
      expect(message).toContain('e.g. `/canary start orders-api 1.4.2`');
      expect(message).toContain(START_USAGE);
    }
  });

  it.each([
    ['1.4.2;rm', '`1.4.2;rm`'],
    ['1.4.2$(id)', '`1.4.2$(id)`'],
    ['1.4.2`id`', '`1.4.2id`'],
    ['1.4.2|sh', '`1.4.2|sh`'],
    ['1.4.2&&reboot', '`1.4.2&amp;&amp;reboot`'],
    ["1.4.2'", "`1.4.2'`"],
    ['../../etc/passwd', '`../../etc/passwd`'],
    ['1.4.2é', '`1.4.2é`'],
  ])('refuses the version %s, echoing it safely, and shows a valid one', (version, echoed) => {
    // Act
    const message = refusalOf(`start orders-api ${version}`);

    // Assess
    expect(message).toContain(
      `${echoed} is not a version: use letters, digits, \`.\`, \`_\` and \`-\`, at most 64, starting with a letter or digit (a Docker tag), e.g. \`/canary start orders-api 1.4.2\`.`,
    );
    expect(message).toContain(START_USAGE);
  });

  it.each([
    ['mirror=0', '`mirror=0` is out of range: the share is 0.01 to 100 percent'],
    ['mirror=0.00', '`mirror=0.00` is out of range'],
    ['mirror=101', '`mirror=101` is out of range'],
    ['mirror=100.01', '`mirror=100.01` is out of range'],
    ['mirror=ten', '`mirror=ten` is not a percentage: use a number from 0.01 to 100'],
    ['mirror=-5', '`mirror=-5` is not a percentage'],
    ['mirror=1e2', '`mirror=1e2` is not a percentage'],
    ['mirror=2,5', '`mirror=2,5` is not a percentage'],
    ['mirror=', '`mirror=` is not a percentage'],
    ['mirror=2.555', '`mirror=2.555` has more than 2 decimals: round it'],
  ])('refuses %s and says why', (option, reason) => {
    // Act
    const message = refusalOf(`start orders-api 1.4.2 ${option}`);

    // Assess
    expect(message).toContain(reason);
    expect(message).toContain('e.g. `mirror=10` or `mirror=2.5`');
  });

  it.each([
    ['window=15x', 'is not a duration'],
    ['window=1.5h', 'is not a duration'],
    ['window=-1', 'is not a duration'],
    ['window=', 'is not a duration'],
    ['window=0', 'is out of range: use 1 second to 7 days'],
    ['window=0m', 'is out of range'],
    ['window=8d', 'is out of range'],
    ['window=604801', 'is out of range'],
  ])('refuses %s and says which durations work', (option, reason) => {
    // Act
    const message = refusalOf(`start orders-api 1.4.2 ${option}`);

    // Assess
    expect(message).toContain(`\`${option}\` ${reason}`);
    expect(message).toContain('e.g. `window=90s`, `window=15m`, `window=1h30m` or `window=900` (seconds)');
  });

  it('accepts a window of exactly 7 days', () => {
    expect(commandOf('start orders-api 1.4.2 window=7d')).toMatchObject({ windowSeconds: 604_800 });
  });

  it('refuses an option given twice, whatever its case', () => {
    // Act
    const same = refusalOf('start orders-api 1.4.2 mirror=5 window=1m mirror=10');
    const cased = refusalOf('start orders-api 1.4.2 window=1m WINDOW=2m');

    // Assess
    expect(same).toContain('`mirror=` is given twice: give each option once.');
    expect(cased).toContain('`window=` is given twice');
  });

  it('refuses an unknown option and lists the known ones', () => {
    // Act
    const message = refusalOf('start orders-api 1.4.2 percent=10');

    // Assess
    expect(message).toContain(
      'Unknown option `percent=`: the options are `mirror=‹percent›`, `window=‹duration›`',
    );
    expect(message).toContain(START_USAGE);
  });

  it('refuses a bare word after the version and shows how options are written', () => {
    // Act
    const message = refusalOf('start orders-api 1.4.2 window 15m');

    // Assess
    expect(message).toContain(
      'Unexpected `window`: after the version come only options, written `name=value`',
    );
  });

  it('refuses a step list with spaces in it and says to leave them out', () => {
    // Act
    const message = refusalOf('start orders-api 1.4.2 strategy=steps:5, 25');

    // Assess
    expect(message).toContain('An empty step in `strategy=steps:` is not allowed');
    expect(message).toContain('separated by commas without spaces');
  });

  it.each([
    ['strategy=steps:5,50,25', 'Steps must rise, but `25` comes after `50`'],
    ['strategy=steps:5,5', 'Steps must rise, but `5` comes after `5`'],
    ['strategy=steps:1,2,3,4,5,6,7,8,9,10,11', '`strategy=steps` has 11 steps: give 1 to 10'],
    ['strategy=steps:5,,50', 'An empty step in `strategy=steps:` is not allowed'],
    ['strategy=steps:', 'An empty step'],
    ['strategy=steps:5,101', 'The step `101` in `strategy=steps:` is not allowed'],
    ['strategy=steps:5,12.345', 'The step `12.345`'],
    ['strategy=steps:-5,10', 'The step `-5`'],
    ['strategy=canary', '`strategy=canary` is not a strategy: use `strategy=mirror`, `strategy=steps`'],
    ['strategy=mirror,steps:50,5', 'Steps must rise, but `5` comes after `50`'],
    ['strategy=steps,mirror', '`strategy=steps,mirror` is not a strategy'],
  ])('refuses %s and says why', (option, reason) => {
    // Act
    const message = refusalOf(`start orders-api 1.4.2 ${option}`);

    // Assess
    expect(message).toContain(reason);
    expect(message).toContain('strategy=steps:5,25,50,100');
  });

  it('accepts exactly ten steps', () => {
    expect(commandOf('start orders-api 1.4.2 strategy=steps:1,2,3,4,5,6,7,8,9,10')).toMatchObject({
      strategy: { kind: 'steps', steps: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    });
  });

  it.each([
    'start orders-api 1.4.2 mirror=10 strategy=steps',
    'start orders-api 1.4.2 strategy=steps:5,25 mirror=10',
  ])('refuses a mirror share together with steps: %s', (text) => {
    expect(refusalOf(text)).toContain(
      '`mirror=` sets the share of mirrored requests, but `strategy=steps` does not mirror: drop `mirror=`, or use `strategy=mirror`.',
    );
  });

  it.each([
    ['list everything', 'Unexpected `everything` after `list`: type only `/canary list`.'],
    ['status orders-api now', 'Unexpected `now` after `status`: type only `/canary status ‹service›`.'],
    ['promote orders-api 1.4.2 please', 'Unexpected `1.4.2 please` after `promote`'],
  ])('refuses extra words: %s', (text, reason) => {
    expect(refusalOf(text)).toContain(reason);
  });

  it('refuses very long input up front without echoing it', () => {
    // Prepare
    const text = `start orders-api ${'1'.repeat(600)}`;

    // Act
    const message = refusalOf(text);

    // Assess
    expect(message).toBe(
      'That command is 617 characters long; `/canary` takes at most 500. Try `/canary help`.',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { buildGroupsSchema } from '../../domain/group';
import { parseCanaryCommand } from '../../handlers/slack/canary-command';
import { commandOf, refusalOf } from './canary-command-fixtures';

const GROUP_USAGE =
  'Usage: `/canary start ‹service›=‹version› ‹service›=‹version›… [window=‹duration›] [strategy=steps:5,25,100], /canary start group ‹group› [‹service›=‹version›…] [window=‹duration›] [strategy=steps:5,25,100]`';

describe('parseCanaryCommand: group releases', () => {
  it('reads service=version words as an ad hoc group, in call order, the entry first', () => {
    // Act
    const command = commandOf('start front=2.0.1 orders-api=1.4.2 payments=2.1.0');

    // Assess
    expect(command).toStrictEqual({
      kind: 'startGroup',
      members: [
        { service: 'front', version: '2.0.1' },
        { service: 'orders-api', version: '1.4.2' },
        { service: 'payments', version: '2.1.0' },
      ],
    });
  });

  it('tells options from members by name, wherever they stand, in any case', () => {
    // Prepare
    const expected = {
      kind: 'startGroup',
      members: [
        { service: 'orders-api', version: '1.4.2' },
        { service: 'payments', version: 'v2.1.0-rc1' },
      ],
      steps: [5, 25, 100],
      windowSeconds: 900,
    };

    // Act
    const after = commandOf('start orders-api=1.4.2 payments=v2.1.0-rc1 strategy=steps:5,25,100 window=15m');
    const before = commandOf('start Window=15m orders-api=1.4.2 STRATEGY=Steps:5,25,100 payments=v2.1.0-rc1');

    // Assess
    expect(after).toStrictEqual(expected);
    expect(before).toStrictEqual(expected);
  });

  it('reads strategy=steps without a list as the entry’s own steps', () => {
    expect(commandOf('start orders-api=1.4.2 payments=2.1.0 strategy=steps')).toStrictEqual({
      kind: 'startGroup',
      members: [
        { service: 'orders-api', version: '1.4.2' },
        { service: 'payments', version: '2.1.0' },
      ],
    });
  });

  it('reads a configured group by name, with or without versions of its own', () => {
    // Act
    const bare = commandOf('start group checkout');
    const versions = commandOf('start GROUP checkout payments=2.1.1 window=10m');

    // Assess
    expect(bare).toStrictEqual({ kind: 'startGroup', group: 'checkout', members: [] });
    expect(versions).toStrictEqual({
      kind: 'startGroup',
      group: 'checkout',
      members: [{ service: 'payments', version: '2.1.1' }],
      windowSeconds: 600,
    });
  });

  it('accepts exactly the group names a service’s configuration accepts', () => {
    // Prepare
    const names = [
      'checkout',
      'c',
      'check-out-2',
      'a'.repeat(40),
      'a'.repeat(41),
      'Checkout',
      '2fa',
      'pay_ments',
    ];
    const schema = buildGroupsSchema();
    const configured = (name: string) => schema.safeParse([{ name, downstream: ['payments'] }]).success;

    // Act
    const read = names.map((name) => parseCanaryCommand(`start group ${name}`).ok);

    // Assess
    expect(read).toEqual(names.map(configured));
    expect(read).toContain(false);
  });

  it('keeps the single-service start as it was', () => {
    expect(commandOf('start orders-api 1.4.2 window=15m')).toStrictEqual({
      kind: 'start',
      service: 'orders-api',
      version: '1.4.2',
      windowSeconds: 900,
    });
    expect(refusalOf('start mirror=10')).toContain('Missing the service');
  });
});

describe('parseCanaryCommand: group refusals', () => {
  it.each([
    ['start orders-api=1.4.2 payments=2.1.0 mirror=10', '`mirror=` does not apply'],
    ['start orders-api=1.4.2 payments=2.1.0 strategy=mirror', '`strategy=mirror` does not apply'],
    ['start orders-api=1.4.2 payments=2.1.0 strategy=mirror,steps:5,100', 'it never mirrors'],
    ['start orders-api=1.4.2 payments=2.1.0 strategy=blue-green', 'it switches no listener (blue/green)'],
    ['start group checkout strategy=blue-green', '`strategy=blue-green` does not apply'],
  ])('refuses %j: a group routes by the tag in steps', (text, what) => {
    // Act
    const message = refusalOf(text);

    // Assess
    expect(message).toMatch(/^A group release routes by the tag in steps: the entry sends a rising share/);
    expect(message).toContain(what);
    expect(message).toContain('`strategy=steps:5,25,100`');
    expect(message).toContain(GROUP_USAGE);
  });

  it('refuses a service named twice, naming it', () => {
    expect(refusalOf('start orders-api=1.4.2 payments=2.1.0 orders-api=1.4.3')).toContain(
      '`orders-api` is named twice: name each service once, with the version to release.',
    );
  });

  it('refuses a group of one, and shows both the group and the single start', () => {
    // Act
    const message = refusalOf('start orders-api=1.4.2 window=15m');

    // Assess
    expect(message).toContain(
      'A group release needs at least two services, and this names only `orders-api`',
    );
    expect(message).toContain('`/canary start orders-api=1.4.2 payments=2.1.0`');
    expect(message).toContain('To release it alone, type `/canary start orders-api 1.4.2`.');
    expect(message).toContain(GROUP_USAGE);
  });

  it('refuses more members than a group takes', () => {
    const seven = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((s) => `svc-${s}=1.0.0`).join(' ');
    expect(refusalOf(`start ${seven}`)).toContain(
      'A group release takes at most 6 services, and this names 7',
    );
  });

  it.each([
    ['start orders-api=1.4.2 payments', '`payments` has no version: write each member as `service=version`'],
    ['start orders-api=1.4.2 2.1.0', '`2.1.0` does not say which service it is for'],
    [
      'start orders-api=1.4.2 payments=2.1.0 ;rm',
      'Unexpected `;rm`: a group release takes `service=version` words',
    ],
    ['start orders-api=1.4.2 payments=', 'Missing the version of `payments`: put it right after the `=`'],
    ['start orders-api=1.4.2 =2.1.0', 'Missing the service before `=2.1.0`'],
    [
      'start orders-api=1.4.2 Payments=2.1.0',
      '`Payments` is not a service name: names are lower-case, so type `payments=2.1.0`',
    ],
    [
      'start orders-api=1.4.2 pay_ments=2.1.0',
      '`pay_ments` is not a service name: use 2 to 40 lower-case letters',
    ],
    [
      'start orders-api=1.4.2 payments=2.1.0;id',
      '`2.1.0;id` is not a version of `payments`: use letters, digits',
    ],
    ['start orders-api=1.4.2 payments=2.1.0 steps=5,25', '`steps=5,25` is not an option: write the steps as'],
    ['start orders-api=1.4.2 payments=2.1.0 window=soon', '`window=soon` is not a duration'],
    ['start orders-api=1.4.2 payments=2.1.0 window=8d', '`window=8d` is out of range'],
    [
      'start orders-api=1.4.2 payments=2.1.0 strategy=steps:50,5',
      'Steps must rise, but `5` comes after `50`',
    ],
    ['start orders-api=1.4.2 payments=2.1.0 strategy=steps:0,50', 'A group’s steps start above `0`'],
    [
      'start orders-api=1.4.2 payments=2.1.0 strategy=canary',
      '`strategy=canary` is not a strategy for a group',
    ],
    ['start orders-api=1.4.2 payments=2.1.0 window=5m Window=10m', '`window=` is given twice'],
    ['start orders-api=1.4.2 payments=2.1.0 group checkout', '`group` comes right after `start`'],
    ['start group', 'Missing the group’s name: name it right after `group`'],
    ['start group orders-api=1.4.2', 'Missing the group’s name'],
    ['start group Checkout', '`Checkout` is not a group name: names are lower-case, so type `checkout`.'],
    ['start group check.out', '`check.out` is not a group name: use a lower-case letter'],
  ])('answers %j with what is wrong and the group usage', (text, what) => {
    // Act
    const message = refusalOf(text);

    // Assess
    expect(message).toContain(what);
    expect(message.endsWith(GROUP_USAGE)).toBe(true);
  });

  it('echoes hostile member words only as escaped code', () => {
    // Act
    const message = refusalOf('start orders-api=1.4.2 <!channel>=1 payments=2.1.0');

    // Assess
    expect(message).toContain('`&lt;!channel&gt;` is not a service name');
    expect(message).not.toMatch(/[<>]/);
  });

  it('tells a single start with a member word how a group is written', () => {
    expect(refusalOf('start orders-api 1.4.2 payments=2.1.0')).toContain(
      'Unknown option `payments=`: the options are `mirror=‹percent›`, `window=‹duration›` and `strategy=‹mirror|steps|blue-green›`. To release several services together, write every one as `service=version`',
    );
  });

  it.each(['plan orders-api=1.4.2 payments=2.1.0', 'plan group checkout'])(
    'says %j cannot be previewed, and how to start the group',
    (text) => {
      // Act
      const message = refusalOf(text);

      // Assess
      expect(message).toContain('A group release has no preview yet: `/canary plan` takes one service.');
      expect(message).toContain('Usage: `/canary plan ‹service› ‹version›');
    },
  );
});

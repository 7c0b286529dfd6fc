import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COLOUR_RULES_MAX_CHARS,
  type ColourRule,
  colourRulesParameter,
  parseColourRules,
} from '../../domain/colouring';
import { operationParameters } from '../../domain/operation-parameters';
import { patterns } from '../../domain/patterns';
import { parseServiceConfig } from '../../domain/service-config';
import { configInput, serviceConfig } from '../../local/fixture-service-config';

const colouring = (rules: unknown) =>
  parseServiceConfig({ ...configInput(), routing: { colouring: rules } as never });
const errorsOf = (rules: unknown) => {
  const parsed = colouring(rules);
  return parsed.ok ? [] : parsed.errors;
};

const EVERY_KIND = [
  { header: { name: 'app', value: 'mobile' } },
  { host: 'gray.shop.example.com' },
  { hostPrefix: 'gray.' },
  { cookie: { name: 'beta', value: '1' } },
  { zone: 'eu-west-1a' },
  { header: { name: 'x-bot', value: '1' }, route: 'stable' },
];

describe('routing.colouring', () => {
  it('is empty unless configured, and keeps the rules in their order, each to the canary unless it says stable', () => {
    const none = parseServiceConfig(configInput());
    expect(none.ok && none.config.routing.colouring).toEqual([]);

    const parsed = colouring(EVERY_KIND);
    expect(parsed.ok && parsed.config.routing.colouring).toEqual([
      { header: { name: 'app', value: 'mobile' }, route: 'new' },
      { host: 'gray.shop.example.com', route: 'new' },
      { hostPrefix: 'gray.', route: 'new' },
      { cookie: { name: 'beta', value: '1' }, route: 'new' },
      { zone: 'eu-west-1a', route: 'new' },
      { header: { name: 'x-bot', value: '1' }, route: 'stable' },
    ]);
  });

  it('names the rule and the field of each mistake', () => {
    expect(
      errorsOf([
        { host: 'Gray.Shop.example.com' },
        { hostPrefix: 'gray' },
        { cookie: { name: 'beta', value: 'one two' } },
        { zone: 'Europe' },
        { header: { name: 'Host', value: 'x' } },
        { header: { name: 'app', value: 'mobile' }, route: 'canary' },
      ]),
    ).toEqual([
      'routing.colouring.0.host: a lower-case DNS name such as gray.shop.example.com',
      'routing.colouring.1.hostPrefix: the leading labels of a host name, each with its dot, such as "gray."',
      'routing.colouring.2.cookie.value: a cookie value of letters, digits, _ and -',
      'routing.colouring.3.zone: an Availability Zone name such as eu-west-1a',
      'routing.colouring.4.header.name: not Host or Cookie: a host, hostPrefix or cookie rule matches those',
      'routing.colouring.5.route: route "new" (the canary, the default) or "stable"',
    ]);
  });

  it('takes one kind per rule, no unknown field, and at most 8 rules', () => {
    expect(errorsOf([{ host: 'gray.shop.example.com', hostPrefix: 'gray.' }])).toEqual([
      'routing.colouring.0: one of header, host, hostPrefix, cookie, zone per rule',
    ]);
    // Region colouring is a header rule on the header the edge sets (README): no field of its own.
    expect(errorsOf([{ region: 'eu' }])).toEqual([
      'routing.colouring.0: unknown field(s) region',
      'routing.colouring.0: one of header, host, hostPrefix, cookie, zone per rule',
    ]);
    expect(errorsOf([{}])).toEqual([
      'routing.colouring.0: one of header, host, hostPrefix, cookie, zone per rule',
    ]);
    expect(errorsOf(Array.from({ length: 9 }, () => ({ zone: 'eu-west-1a' })))).toEqual([
      'routing.colouring: at most 8 rules',
    ]);
    const long = Array.from({ length: 8 }, (_, i) => ({ host: `${'a'.repeat(60)}${i}.shop.example.com` }));
    expect(errorsOf(long)).toEqual([
      `routing.colouring: the rules must fit the ${COLOUR_RULES_MAX_CHARS} characters of the ColourRules parameter: fewer or shorter host names`,
    ]);
  });
});

describe('the ColourRules parameter', () => {
  it('writes each rule as kind:what, `:stable` after a rule to stable, joined by commas', () => {
    const parsed = colouring(EVERY_KIND);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(colourRulesParameter(parsed.config.routing.colouring)).toBe(
      'header:app=mobile,host:gray.shop.example.com,hostPrefix:gray.,cookie:beta=1,zone:eu-west-1a,header:x-bot=1:stable',
    );
    expect(colourRulesParameter([])).toBe('');
  });

  it('is what the shift-traffic step is sent: the service’s rules, or none', () => {
    const input = {
      releaseId: 'orders-api-r1',
      strategy: { kind: 'steps', steps: [5, 100], bakeSeconds: 600 },
      fromVersion: '1.4.1',
      toVersion: '1.4.2',
      windowSeconds: 900,
    } as const;
    const plain = operationParameters({ ...input, config: serviceConfig() });
    expect(plain.shiftTraffic.ColourRules).toBe('');
    const coloured = serviceConfig({ routing: { colouring: [{ cookie: { name: 'beta', value: '1' } }] } });
    expect(operationParameters({ ...input, config: coloured }).shiftTraffic.ColourRules).toBe(
      'cookie:beta=1',
    );
  });

  it('matches its pattern for every configuration the schema takes, and reads back as the same rules', () => {
    const token = fc.stringMatching(patterns.routingToken);
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
    const route = fc.constantFrom('new' as const, 'stable' as const);
    const rule: fc.Arbitrary<ColourRule> = fc.oneof(
      fc.record({
        header: fc.record({ name: fc.stringMatching(patterns.headerName), value: token }),
        route,
      }),
      fc.record({ host: fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join('.')), route }),
      fc.record({
        hostPrefix: fc.array(label, { minLength: 1, maxLength: 2 }).map((l) => `${l.join('.')}.`),
        route,
      }),
      fc.record({ cookie: fc.record({ name: token, value: token }), route }),
      fc.record({ zone: fc.stringMatching(/^[a-z]{2}-[a-z]{4,9}-[1-9][a-f]$/), route }),
    );
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), (rules) => {
        const taken = colouring(rules);
        fc.pre(taken.ok);
        const parameter = colourRulesParameter(rules);
        expect(patterns.colourRules.test(parameter), parameter).toBe(true);
        expect(parseColourRules(parameter)).toEqual({ ok: true, rules });
      }),
      { numRuns: 500 },
    );
  });

  it('is read back as strictly as the configuration, naming the rule that is wrong', () => {
    expect(parseColourRules('')).toEqual({ ok: true, rules: [] });
    expect(parseColourRules('header:host=gray.x')).toMatchObject({ ok: false });
    expect(parseColourRules('cookie:beta=1,header:Cookie=x')).toEqual({
      ok: false,
      problem: 'rule 2 (header.name): not Host or Cookie: a host, hostPrefix or cookie rule matches those',
    });
    for (const bad of [
      'header:app',
      'header:app=mobile,',
      'host:gray.shop.example.com:canary',
      'zone:eu',
      'region:eu-west-1',
      'header:app=mobile;touch /tmp/x',
      Array.from({ length: 9 }, () => 'zone:eu-west-1a').join(','),
    ]) {
      expect(parseColourRules(bad).ok, bad).toBe(false);
      expect(patterns.colourRules.test(bad), bad).toBe(false);
    }
  });
});

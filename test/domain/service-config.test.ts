import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../domain/service-config';
import { BLUE_GREEN, configInput } from '../../local/fixture-service-config';

const colours = {
  listenerArn: BLUE_GREEN.listenerArn,
  blue: { ...BLUE_GREEN.blue, alarms: [...BLUE_GREEN.blue.alarms] },
  green: { ...BLUE_GREEN.green, alarms: [...BLUE_GREEN.green.alarms] },
};
const canaryOnly = { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } };

describe('service configuration', () => {
  it('fills the documented defaults: nginx timeouts of 60 s, 10% mirroring, a 15-minute window', () => {
    const parsed = parseServiceConfig(configInput());

    expect(parsed.ok && parsed.config.proxy).toMatchObject({
      connectTimeoutSeconds: 60,
      readTimeoutSeconds: 60,
      sendTimeoutSeconds: 60,
      driver: 'envoy',
    });
    expect(parsed.ok && parsed.config.mirror.defaultPercent).toBe(10);
    expect(parsed.ok && parsed.config.validation.defaultWindowSeconds).toBe(900);
  });

  it('names the field and what was expected', () => {
    const parsed = parseServiceConfig({
      ...configInput(),
      service: 'Orders API',
      slack: { channel: '#releases' },
    });

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^service: a service name such as "orders-api"/),
        expect.stringMatching(/^slack\.channel: a Slack channel id/),
      ]),
    );
  });

  it('refuses a misspelt key instead of ignoring it', () => {
    const parsed = parseServiceConfig({ ...configInput(), mirror: { defaultPrecent: 5 } });

    expect(!parsed.ok && parsed.errors).toEqual([
      expect.stringMatching(/^mirror: unknown field\(s\) defaultPrecent/),
    ]);
  });

  it('refuses bounds that contradict each other and approvals with nobody to approve', () => {
    const parsed = parseServiceConfig({
      ...configInput(),
      mirror: { defaultPercent: 60, maxPercent: 50 },
      approvals: { required: true, users: [] },
    });

    expect(!parsed.ok && parsed.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mirror: minPercent <= defaultPercent <= maxPercent/),
        expect.stringMatching(/^approvals: approvals.required is true/),
      ]),
    );
  });

  it('refuses an ELB host name or tag that could smuggle shell syntax to a host', () => {
    const parsed = parseServiceConfig({
      ...configInput(),
      canaryStack: { elbHost: 'x.elb.amazonaws.com;rm -rf /' },
      fleets: { stable: { tags: { fleet: '$(reboot)' } }, canary: { tags: { fleet: 'ok' } } },
    });

    expect(!parsed.ok && parsed.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^canaryStack\.elbHost/),
        expect.stringMatching(/^fleets\.stable\.tags\.fleet/),
      ]),
    );
  });

  it('takes blue/green in place of a stable fleet: the live colour is the stable fleet', () => {
    const parsed = parseServiceConfig(configInput({ fleets: canaryOnly, blueGreen: colours }));
    expect(parsed.ok && parsed.config.blueGreen?.green.tags).toEqual({
      'canary-agent:fleet': 'orders-api-green',
    });
  });

  it('wants the stable fleet named exactly once, two different target groups, and real ARNs', () => {
    const errorsOf = (input: unknown) => {
      const parsed = parseServiceConfig(input);
      return parsed.ok ? [] : parsed.errors;
    };
    expect(errorsOf(configInput({ blueGreen: colours }))).toEqual([
      expect.stringMatching(/^fleets\.stable: name the stable fleet once/),
    ]);
    expect(errorsOf(configInput({ fleets: canaryOnly }))).toEqual([
      expect.stringMatching(/^fleets\.stable: name the stable fleet once/),
    ]);
    expect(
      errorsOf(
        configInput({
          fleets: canaryOnly,
          blueGreen: { ...colours, green: { ...colours.green, targetGroupArn: colours.blue.targetGroupArn } },
        }),
      ),
    ).toEqual(['blueGreen: blue and green need different target groups']);
    expect(
      errorsOf(
        configInput({
          fleets: canaryOnly,
          blueGreen: {
            ...colours,
            listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x;reboot',
          },
        }),
      ),
    ).toEqual(['blueGreen.listenerArn: a load balancer listener ARN']);
    const withRule = (ruleArn: string) =>
      errorsOf(configInput({ fleets: canaryOnly, blueGreen: { ...colours, ruleArn } }));
    expect(withRule(BLUE_GREEN.ruleArn)).toEqual([]);
    // The same rule id under another listener of the same load balancer.
    expect(withRule(BLUE_GREEN.ruleArn.replace('0123456789abcdef/00', 'ffffffffffffffff/00'))).toEqual([
      'blueGreen.ruleArn: ruleArn must be a rule of listenerArn',
    ]);
  });
});

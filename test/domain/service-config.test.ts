import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../domain/service-config';
import { configInput } from '../support/service-config';

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
});

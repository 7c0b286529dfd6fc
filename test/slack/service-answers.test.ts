import { describe, expect, it } from 'vitest';
import type { ListedService, ServiceConfigs } from '../../domain/ports';
import { servicesText, unknownServiceText } from '../../handlers/slack/service-answers';
import { serviceConfig } from '../../local/fixture-service-config';

/** A stand-in that lists what it is given, and fails on any other call: the answers only list. */
function listing(services: readonly ListedService[], complete = true): ServiceConfigs {
  const never = () => Promise.reject(new Error('only list() is expected'));
  return { get: never, exists: never, list: async () => ({ services, complete }) };
}
const valid = (service: string): ListedService => ({
  service,
  config: { ok: true, config: serviceConfig({ service }) },
});

describe('servicesText', () => {
  it('names an invalid configuration’s first problem, escaped, and how many more it has', async () => {
    const broken: ListedService = {
      service: 'billing-api',
      config: {
        ok: false,
        errors: ['slack.channel: a Slack channel id such as "C0123ABCD" <!channel>', 'x: y'],
      },
    };

    const text = await servicesText(listing([broken, valid('orders-api')]));

    expect(text).toContain(
      '• *billing-api*: its configuration is invalid, so it cannot be released: slack.channel: a Slack channel id such as "C0123ABCD" &lt;!channel&gt; (and 1 more)',
    );
    expect(text).toContain('• *orders-api* in <#C0RELEASES>: mirror 10% (the default)');
  });

  it('says when the list stopped before the end, and when nothing is configured', async () => {
    expect(await servicesText(listing([valid('orders-api')], false))).toMatch(
      /^\*Configured services\* \(1 listed; there are more\)/,
    );
    expect(await servicesText(listing([]))).toMatch(/^No service is configured yet/);
  });
});

describe('unknownServiceText', () => {
  it('shows at most 20 names and points at /canary services for the rest', async () => {
    const many = Array.from({ length: 25 }, (_, i) => valid(`svc-${String(i).padStart(2, '0')}`));

    const text = await unknownServiceText(listing(many), 'svc-99', '');

    expect(text).toContain('Did you mean *svc-09* or *svc-19*?');
    expect(text).toContain('*svc-19*, and more (`/canary services` lists them).');
    expect(text).not.toContain('*svc-20*,');
  });

  it('says so when no service is configured at all', async () => {
    expect(await unknownServiceText(listing([]), 'orders-api', 'Hint.')).toBe(
      'No service called *orders-api* is configured. No service is configured yet. Hint.',
    );
  });
});

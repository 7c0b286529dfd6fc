import { describe, expect, it } from 'vitest';
import {
  APPROVER,
  blueGreenConfig,
  REQUESTER,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';
import { slackFunctionOnLoopback } from './slack-world';

/*
 * `/canary services` and the answer to a service that is not configured, through the real Slack function with
 * signed requests. Three services: orders-api (mirroring acknowledged), billing-api (not, so steps only) and
 * payments-api (blue/green as well). Set-up in slack-world.ts.
 */

const { env, world, command } = slackFunctionOnLoopback([
  serviceConfig({ service: 'billing-api', mirror: {}, slack: { channel: 'C0BILLING' } }),
  blueGreenConfig({ service: 'payments-api', slack: { channel: 'C0PAYMENTS' } }),
]);

describe('/canary services', () => {
  it('lists every configured service with how it may be released and its channel, to the asker only', async () => {
    // Act
    const { reply } = await env.standin.command(STRANGER, 'services');
    const body = JSON.parse(reply ?? '{}') as { response_type?: string; text?: string };

    // Assess
    expect(body.response_type).toBe('ephemeral');
    expect(body.text?.split('\n')).toEqual([
      '*Configured services* (3)',
      '• *billing-api* in <#C0BILLING>: mirror refused (not acknowledged as read-only: start with `strategy=steps`), steps 5 → 25 → 50 → 100%',
      '• *orders-api* in <#C0RELEASES>: mirror 10% (the default), steps 5 → 25 → 50 → 100%',
      '• *payments-api* in <#C0PAYMENTS>: mirror 10% (the default), steps 5 → 25 → 50 → 100%, blue/green',
      'Start one with `/canary start ‹service› ‹version›` in its channel; `strategy=` picks another way.',
    ]);
  });

  it('is in the help, and takes no arguments', async () => {
    expect(await command(STRANGER, 'help')).toContain('`/canary services` – list the configured services');
    expect(await command(STRANGER, 'services orders-api')).toContain(
      'Unexpected `orders-api` after `services`: type only `/canary services`.',
    );
  });
});

describe('a service that is not configured', () => {
  it.each([
    'start ordres-api 1.4.2',
    'status ordres-api',
    'history ordres-api',
    'promote ordres-api',
    'rollback ordres-api',
    'abort ordres-api',
    'retry ordres-api',
    'revert ordres-api',
    'freeze ordres-api',
    'unfreeze ordres-api',
  ])('"/canary %s" suggests the closest name and lists the configured ones', async (text) => {
    // Act
    const reply = await command(APPROVER, text);

    // Assess
    expect(reply).toContain(
      'No service called *ordres-api* is configured. Did you mean *orders-api*? Configured: *billing-api*, *orders-api*, *payments-api*.',
    );
    expect(await world.store.activeReleases()).toEqual([]);
    expect(await world.store.freezesOf('ordres-api')).toEqual([]);
  });

  it('guesses nothing for a name close to none, and keeps the command’s own advice', async () => {
    expect(await command(REQUESTER, 'start inventory 1.4.2')).toBe(
      'No service called *inventory* is configured. Configured: *billing-api*, *orders-api*, *payments-api*. If it is new, ask your platform team to add it.',
    );
    expect(await command(APPROVER, 'freeze inventry')).toContain(
      'To freeze every service: `/canary freeze all`.',
    );
  });

  it('offers every service a name starts', async () => {
    expect(await command(STRANGER, 'status orders')).toContain('Did you mean *orders-api*?');
  });
});

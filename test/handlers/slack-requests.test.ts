import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { signedHeaders } from '../../handlers/slack/request-signature';
import { REQUESTER } from '../../local/fixture-service-config';
import { lambdaContext } from '../../local/lambda-http';
import { CHANNEL, SECRET, slackFunctionOnLoopback } from './slack-world';

/*
 * The request checks of the Slack function: signatures, replays, retries and unusable bodies.
 * Set-up in slack-world.ts.
 */

const { env, world } = slackFunctionOnLoopback();

describe('request checks', () => {
  const form = 'command=%2Fcanary&text=list&user_id=U0REQUESTER&channel_id=C0RELEASES&trigger_id=1.2.3';
  const event = (headers: Record<string, string>, body = form): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey: 'POST /slack/events',
      rawPath: '/slack/events',
      rawQueryString: '',
      headers,
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' } },
    }) as unknown as APIGatewayProxyEventV2;
  const now = Math.floor(Date.now() / 1000);

  it.each([
    ['signed with another secret', signedHeaders('not-the-secret', form, now)],
    ['replayed after six minutes', signedHeaders(SECRET, form, now - 360)],
    ['dated six minutes in the future', signedHeaders(SECRET, form, now + 360)],
    ['without a signature', { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('refuses a request %s with 401 and changes nothing', async (_name, headers) => {
    const response = await world.handler(event(headers), lambdaContext('slack'));

    expect(response.statusCode).toBe(401);
    expect(env.standin.calls()).toEqual([]);
  });

  it('refuses a signed body whose signature does not match it (tampered)', async () => {
    const headers = signedHeaders(SECRET, form, now);

    const response = await world.handler(
      event(headers, form.replace('list', 'help')),
      lambdaContext('slack'),
    );

    expect(response.statusCode).toBe(401);
  });

  it('answers a request within the window, either side of now', async () => {
    for (const skew of [-240, 240]) {
      const response = await world.handler(
        event(signedHeaders(SECRET, form, now + skew)),
        lambdaContext('slack'),
      );
      expect(response.statusCode).toBe(200);
    }
  });

  it('starts nothing twice when Slack retries the same request', async () => {
    const body = new URLSearchParams({
      command: '/canary',
      text: 'start orders-api 1.4.2',
      user_id: REQUESTER,
      channel_id: CHANNEL,
      trigger_id: '1111.2222.retry',
      response_url: `${env.standin.url()}/respond/${REQUESTER}`,
    }).toString();
    const first = await world.handler(event(signedHeaders(SECRET, body), body), lambdaContext('slack'));
    const retry = await world.handler(
      event(
        { ...signedHeaders(SECRET, body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
        body,
      ),
      lambdaContext('slack'),
    );

    expect(JSON.parse(String(first.body)).text).toContain('Started');
    expect(JSON.parse(String(retry.body)).text).toContain('already handled');
    expect(await world.store.recentReleases('orders-api', 10)).toHaveLength(1);
  });

  it('answers a signed but unusable body with a plain message, not a 500', async () => {
    const body = 'payload=%7Bnot-json';

    const response = await world.handler(event(signedHeaders(SECRET, body), body), lambdaContext('slack'));

    expect(response.statusCode).toBe(200);
    expect(String(response.body)).toContain('could not handle this request');
  });
});

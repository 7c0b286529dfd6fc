import { WebClient } from '@slack/web-api';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoCardRefs } from '../../adapters/dynamo-card-refs';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { slackReleaseCards } from '../../adapters/slack-release-cards';
import { freezeService } from '../../app/freeze-service';
import type { ServiceConfigs } from '../../domain/ports';
import type { Release } from '../../domain/types';
import { slackHandler } from '../../handlers/slack';
import { signedHeaders } from '../../handlers/slack/request-signature';
import {
  APPROVER,
  REQUESTER,
  SECOND_APPROVER,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';
import { lambdaContext } from '../../local/lambda-http';
import type { ConsoleMessage } from '../../local/slack-standin';
import { harness } from '../support/harness';
import { slackOnLoopback } from '../support/slack-loopback';

/*
 * The real Slack function (middy + Bolt's Lambda receiver) behind a loopback HTTP API, sent correctly and wrongly
 * signed requests by the Slack stand-in, with its Web API calls captured by the stand-in (Bolt's `slackApiUrl`).
 * Releases live in DynamoDB Local; the effects the function hands off are run by the same use cases the
 * `effects` function runs, with the Slack card notifier and recording fakes for SSM, timers and alarms.
 */

const SECRET = 'test-signing-secret-0123456789abcdef';
const CHANNEL = 'C0RELEASES';
const GROUP = 'S0RELEASERS';
const GROUP_MEMBER = 'U0GROUPMEMB';
const secrets = { signingSecret: SECRET, botToken: 'xoxb-test-token' };

let world: ReturnType<typeof setUp>;
const env = slackOnLoopback(
  {
    signingSecret: SECRET,
    channel: CHANNEL,
    users: [APPROVER, SECOND_APPROVER, REQUESTER, STRANGER, GROUP_MEMBER],
    userGroups: { [GROUP]: [GROUP_MEMBER] },
  },
  () => world.handler,
);

function setUp(tableName: string) {
  const store = dynamoReleaseStore(env.dynamo.client, tableName);
  const cards = dynamoCardRefs(env.dynamo.client, tableName);
  const web = new WebClient(secrets.botToken, { slackApiUrl: env.standin.apiUrl() });
  const config = serviceConfig({
    approvals: { users: [APPROVER, SECOND_APPROVER, REQUESTER], groups: [GROUP], fourEyes: true },
    slack: { channel: CHANNEL },
  });
  const h = harness({
    store,
    configs: [config],
    notifier: slackReleaseCards({
      client: async () => web,
      cards,
      releases: store,
      clock: { now: () => h.now() },
    }),
  });
  const configs: ServiceConfigs = {
    get: async (name) => (name === 'orders-api' ? { ok: true, config } : null),
  };
  const handedOff: string[] = [];
  const slackSide = h.handingOff({ handOff: async (releaseId) => void handedOff.push(releaseId) });
  const handler = slackHandler(async () => ({
    deps: {
      service: slackSide,
      store,
      configs,
      freezes: freezeService({
        store,
        configs,
        clock: { now: () => h.now() },
        admins: { users: [], groups: [] },
      }),
    },
    secrets,
    slackApiUrl: env.standin.apiUrl(),
  }));
  /** What the `effects` function does with each hand-off. */
  async function runHandedOff() {
    while (handedOff.length > 0) await h.service.runPending(handedOff.shift() as string);
  }
  return { h, store, handler, handedOff, runHandedOff };
}

beforeEach(async () => {
  world = setUp(await env.dynamo.createReleasesTable());
  env.standin.reset();
});

const card = (): ConsoleMessage | undefined =>
  env.standin.messages().find((m) => m.from === 'app' && !m.threadTs && !m.visibleTo && m.blocks.length > 0);
const buttons = (message: ConsoleMessage | undefined) =>
  (message?.blocks ?? []).flatMap((b) => {
    const block = b as { type: string; elements?: { action_id?: string; confirm?: unknown }[] };
    return block.type === 'actions' ? (block.elements ?? []) : [];
  });
const lastEphemeralTo = (user: string) =>
  env.standin
    .messages()
    .filter((m) => m.visibleTo === user)
    .at(-1)?.text ?? '';

async function command(user: string, text: string): Promise<string> {
  const { status, reply } = await env.standin.command(user, text);
  expect(status).toBe(200);
  return String(JSON.parse(reply ?? '{}').text ?? '');
}

async function click(
  user: string,
  action: 'canary_promote' | 'canary_rollback' | 'canary_abort' | 'canary_retry',
) {
  const message = card();
  if (!message) throw new Error('no card');
  const releaseId = releaseIdOf(message);
  const { status } = await env.standin.click(user, message.id, action, releaseId, `release:${releaseId}`);
  expect(status).toBe(200);
}

function releaseIdOf(message: ConsoleMessage): string {
  const button = buttons(message)[0] as { value?: string } | undefined;
  return button?.value ?? '';
}

/** Starts orders-api 1.4.2 from Slack and plays SSM and the timer up to the approval gate. */
async function releaseAwaitingApproval(): Promise<Release> {
  await command(REQUESTER, 'start orders-api 1.4.2 mirror=5');
  await world.runHandedOff();
  const [releaseId] = (await world.store.activeReleases()).map((r) => r.id);
  await world.h.finishCommand('deployCanary');
  await world.h.finishCommand('startMirror');
  await world.h.elapseWindow(releaseId as string);
  return world.h.load(releaseId as string);
}

describe('the Slack function', () => {
  it('is a two-argument async handler, as nodejs24.x requires', () => {
    expect(world.handler.length).toBe(2);
  });

  it('starts a release from /canary start, answers at once, and hands the slow work off', async () => {
    const reply = await command(REQUESTER, 'start orders-api 1.4.2 mirror=5 window=10m');

    expect(reply).toContain('Started *orders-api* 1.4.1 → 1.4.2, mirroring 5%');
    const [release] = await world.store.activeReleases();
    expect(release).toMatchObject({
      state: 'deployingCanary',
      requestedBy: { kind: 'person', id: REQUESTER },
    });
    expect(world.h.commands).toHaveLength(0);
    expect(world.handedOff).toEqual([release?.id]);
    expect(card()).toBeUndefined();
  });

  it('posts one card when the handed-off effects run, and updates it in place as the release moves', async () => {
    await command(REQUESTER, 'start orders-api 1.4.2 mirror=5');
    await world.runHandedOff();
    const posted = card();
    expect(world.h.lastCommand('deployCanary').operation.parameters.Version).toBe('1.4.2');
    expect(posted?.channel).toBe(CHANNEL);
    expect(JSON.stringify(posted?.blocks)).toContain('orders-api 1.4.1 → 1.4.2');
    expect(buttons(posted).map((b) => b.action_id)).toEqual(['canary_rollback', 'canary_abort']);
    expect(buttons(posted).every((b) => b.confirm !== undefined)).toBe(true);

    const releaseId = releaseIdOf(posted as ConsoleMessage);
    await world.h.finishCommand('deployCanary');
    await world.h.finishCommand('startMirror');
    await world.h.elapseWindow(releaseId);
    const updated = card();
    expect(updated?.ts).toBe(posted?.ts);
    expect(
      env.standin.messages().filter((m) => m.from === 'app' && !m.threadTs && !m.visibleTo),
    ).toHaveLength(1);
    expect(buttons(updated).map((b) => b.action_id)).toEqual([
      'canary_promote',
      'canary_rollback',
      'canary_abort',
    ]);
    expect(env.standin.calls().filter((c) => c.method === 'chat.update').length).toBeGreaterThan(2);
  });
});

describe('the card buttons', () => {
  it('promotes on an approver click and tells a stranger why nothing happened', async () => {
    const release = await releaseAwaitingApproval();

    await click(STRANGER, 'canary_promote');
    expect(lastEphemeralTo(STRANGER)).toContain('not an approver');
    expect((await world.h.load(release.id)).state).toBe('awaitingApproval');

    await click(APPROVER, 'canary_promote');
    await world.runHandedOff();
    const promoted = await world.h.load(release.id);
    expect(promoted.state).toBe('stoppingMirror');
    expect(promoted.approvals.map((a) => a.by)).toEqual([APPROVER]);
    expect(JSON.stringify(card()?.blocks)).toContain(`<@${APPROVER}>`);
  });

  it('refuses the requester when the service wants four eyes', async () => {
    const release = await releaseAwaitingApproval();

    await click(REQUESTER, 'canary_promote');

    expect(lastEphemeralTo(REQUESTER)).toContain('four eyes');
    expect((await world.h.load(release.id)).state).toBe('awaitingApproval');
  });

  it('accepts an approver who is one only through a user group', async () => {
    const release = await releaseAwaitingApproval();

    await click(GROUP_MEMBER, 'canary_promote');

    expect((await world.h.load(release.id)).approvals.map((a) => a.by)).toEqual([GROUP_MEMBER]);
    expect(env.standin.calls().some((c) => c.method === 'usergroups.users.list')).toBe(true);
  });

  it('turns two approvers clicking at the same moment into exactly one promotion', async () => {
    const release = await releaseAwaitingApproval();

    await Promise.all([click(APPROVER, 'canary_promote'), click(SECOND_APPROVER, 'canary_promote')]);

    const promoted = await world.h.load(release.id);
    expect(promoted.approvals).toHaveLength(1);
    expect(promoted.state).toBe('stoppingMirror');
    const loser = promoted.approvals[0]?.by === APPROVER ? SECOND_APPROVER : APPROVER;
    expect(lastEphemeralTo(loser)).toMatch(/already/i);
    expect(lastEphemeralTo(loser)).toContain(`<@${promoted.approvals[0]?.by}>`);
  });

  it('explains a second click on an action already taken, and changes nothing', async () => {
    const release = await releaseAwaitingApproval();
    await click(APPROVER, 'canary_abort');
    const aborted = await world.h.load(release.id);

    await click(SECOND_APPROVER, 'canary_abort');

    expect(lastEphemeralTo(SECOND_APPROVER)).toMatch(/already rolling back/i);
    expect((await world.h.load(release.id)).version).toBe(aborted.version);
  });

  it('explains a click on a card whose release the agent does not know', async () => {
    const payload = {
      type: 'block_actions',
      user: { id: APPROVER },
      trigger_id: '9.9.unknown',
      actions: [{ type: 'button', action_id: 'canary_promote', value: 'orders-api-gone', action_ts: '1' }],
      response_url: `${env.standin.url()}/respond/${APPROVER}`,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

    const response = await world.handler(
      { headers: signedHeaders(SECRET, body), body, isBase64Encoded: false } as never,
      lambdaContext('slack'),
    );

    expect(response.statusCode).toBe(200);
    expect(lastEphemeralTo(APPROVER)).toContain('does not know');
  });

  it('broadcasts an automatic rollback to the channel with the alarm and its reason', async () => {
    const release = await releaseAwaitingApproval();

    await world.h.service.alarmChanged(
      {
        alarmName: 'orders-api-canary-5xx',
        state: 'ALARM',
        reason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).',
        at: world.h.now(),
      },
      'alarm-1',
    );

    const broadcast = env.standin
      .calls()
      .filter((c) => c.method === 'chat.postMessage' && String(c.body.reply_broadcast) === 'true');
    expect(broadcast.length).toBeGreaterThan(0);
    expect(JSON.stringify(broadcast.map((c) => c.body))).toContain('orders-api-canary-5xx');
    expect(JSON.stringify(broadcast.map((c) => c.body))).toContain('Threshold Crossed');
    expect(buttons(card())).toEqual([]);
    expect((await world.h.load(release.id)).state).toBe('rollingBack');
  });
});

describe('/canary input', () => {
  it.each([
    ['deploy orders-api 1.4.2', /unknown command/i],
    ['start orders-api', /version/i],
    ['start orders-api 1.4.2;rm -rf /', /not a version|`/],
    ['start orders-api 1.4.2 mirror=500', /mirror/i],
    ['start Orders_API 1.4.2', /service/i],
    ['promote', /service/i],
  ])('answers "%s" with an ephemeral error saying what to type', async (text, expected) => {
    const { reply } = await env.standin.command(REQUESTER, text);
    const body = JSON.parse(reply ?? '{}') as { response_type?: string; text?: string };

    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(expected);
    expect(body.text).toContain('/canary');
    expect(await world.store.activeReleases()).toEqual([]);
  });

  it('explains why a service without colours cannot go blue/green, and starts nothing', async () => {
    const reply = await command(REQUESTER, 'start orders-api 1.4.2 strategy=blue-green');

    expect(reply).toContain('orders-api has no blueGreen section');
    expect(reply).toContain('Release it with mirroring or in steps');
    expect(reply).toContain('[strategy=mirror|steps|steps:5,25,50,100|blue-green]');
    expect(await world.store.activeReleases()).toEqual([]);
    expect(world.handedOff).toEqual([]);
  });

  it('tells who may not start a busy service what is running', async () => {
    await command(REQUESTER, 'start orders-api 1.4.2');

    const reply = await command(APPROVER, 'start orders-api 1.4.3');

    expect(reply).toContain('already has a release in progress');
    expect(reply).toContain('/canary abort orders-api');
  });

  it('answers status, list, history and help', async () => {
    await command(REQUESTER, 'start orders-api 1.4.2');

    expect(await command(STRANGER, 'status orders-api')).toContain(
      '*orders-api* 1.4.1 → 1.4.2: deployingCanary',
    );
    expect(await command(STRANGER, 'list')).toContain('Releases in progress');
    expect(await command(STRANGER, 'history orders-api')).toContain('1.4.1 → 1.4.2 *deployingCanary*');
    expect(await command(STRANGER, 'help')).toContain('/canary start');
    expect(await command(STRANGER, 'status billing-api')).toContain('No service called *billing-api*');
  });

  it('aborts from a command, and refuses a stranger', async () => {
    await command(REQUESTER, 'start orders-api 1.4.2');

    expect(await command(STRANGER, 'abort orders-api')).toContain('not an approver');
    expect(await world.store.activeReleases()).toHaveLength(1);
    expect(await command(REQUESTER, 'abort orders-api')).toContain('Aborted *orders-api*');
    const [release] = await world.store.recentReleases('orders-api', 1);
    expect(release?.rollback?.reason).toEqual({ kind: 'aborted', by: REQUESTER });
  });
});

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

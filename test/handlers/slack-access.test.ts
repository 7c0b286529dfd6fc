import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { memoryServiceConfigs } from '../../adapters/memory-service-configs';
import { freezeService } from '../../app/freeze-service';
import { pipelineHandler } from '../../handlers/pipeline';
import { slackHandler } from '../../handlers/slack';
import { signedHeaders } from '../../handlers/slack/request-signature';
import { getTestEvent } from '../../local/fixture-events';
import { APPROVER, REQUESTER, STRANGER, serviceConfig } from '../../local/fixture-service-config';
import { lambdaContext } from '../../local/lambda-http';
import { harness } from '../support/harness';
import { listRequestsFor } from '../support/routing-lists';
import { slackOnLoopback } from '../support/slack-loopback';

/*
 * Who may start, from where, and change freezes, through the real Slack function (signed requests, Bolt, the
 * Slack stand-in for Web API calls) and the real pipeline function, over one release table in DynamoDB Local.
 */

const SECRET = 'test-signing-secret-access-0123456789';
const CHANNEL = 'C0RELEASES';
const ELSEWHERE = 'C0RANDOM01';
const GROUP = 'S0RELEASERS';
const GROUP_MEMBER = 'U0GROUPMEMB';
const ADMIN = 'U0FREEZEADM';
const secrets = { signingSecret: SECRET, botToken: 'xoxb-test-token' };

let world: Awaited<ReturnType<typeof setUp>>;
const env = slackOnLoopback(
  {
    signingSecret: SECRET,
    channel: CHANNEL,
    users: [APPROVER, REQUESTER, STRANGER, GROUP_MEMBER, ADMIN],
    userGroups: { [GROUP]: [GROUP_MEMBER] },
  },
  () => world.slack,
);

async function setUp() {
  const store = dynamoReleaseStore(env.dynamo.client, await env.dynamo.createReleasesTable());
  const config = serviceConfig({
    requesters: { users: [REQUESTER], groups: [GROUP] },
    approvals: { users: [APPROVER] },
    slack: { channel: CHANNEL },
  });
  const configs = memoryServiceConfigs([config]);
  const h = harness({ store, configs: [config] });
  const clock = { now: () => h.now() };
  const freezes = freezeService({ store, configs, clock, admins: { users: [ADMIN], groups: [] } });
  const service = h.handingOff({ handOff: async () => {} });
  const slack = slackHandler(async () => ({
    deps: {
      service,
      store,
      configs,
      freezes,
      plans: h.previewing(),
      lists: listRequestsFor({ configs, store }),
    },
    secrets,
    slackApiUrl: env.standin.apiUrl(),
  }));
  const pipeline = pipelineHandler(async () => ({ service: h.service, store }));
  return { store, slack, pipeline };
}

beforeEach(async () => {
  world = await setUp();
  env.standin.reset();
});

/** `/canary <text>` typed by `user` in the release channel; the ephemeral reply's text. */
async function command(user: string, text: string): Promise<string> {
  const { status, reply } = await env.standin.command(user, text);
  expect(status).toBe(200);
  const body = JSON.parse(reply ?? '{}') as { response_type?: string; text?: string };
  expect(body.response_type).toBe('ephemeral');
  return String(body.text ?? '');
}

function slackEvent(headers: Record<string, string> | undefined, body: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /slack/events',
    rawPath: '/slack/events',
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST' } },
  } as unknown as APIGatewayProxyEventV2;
}

/** `/canary <text>` typed by `user` in `channel`, signed as Slack signs it, straight to the handler. */
async function commandIn(channel: string, user: string, text: string): Promise<string> {
  const body = new URLSearchParams({
    command: '/canary',
    text,
    user_id: user,
    channel_id: channel,
    trigger_id: `${Date.now()}.${Math.random()}`,
    response_url: `${env.standin.url()}/respond/${user}`,
  }).toString();
  const response = await world.slack(slackEvent(signedHeaders(SECRET, body), body), lambdaContext('slack'));
  expect(response.statusCode).toBe(200);
  return String(JSON.parse(String(response.body)).text);
}

async function pipelineStart(id: string) {
  const event = getTestEvent('canary-agent/release-requested', { id });
  return (await world.pipeline(event, lambdaContext('pipeline'))) as Record<string, unknown>;
}

describe('who may start, and from where', () => {
  it('refuses a stranger, says who may, and names the user group without pinging it', async () => {
    // Act
    const reply = await command(STRANGER, 'start orders-api 1.4.2');

    // Assess
    expect(reply).toContain('You may not start *orders-api*');
    expect(reply).toContain(`<@${REQUESTER}>`);
    expect(reply).toContain('members of `@s0releasers`');
    expect(reply).not.toContain('subteam');
    expect(await world.store.activeReleases()).toEqual([]);
  });

  it('refuses a requester typing in another channel, and names the channel to use', async () => {
    const reply = await commandIn(ELSEWHERE, REQUESTER, 'start orders-api 1.4.2');

    expect(reply).toContain(`<#${CHANNEL}>`);
    expect(reply).toContain('type the command there');
    expect(await world.store.activeReleases()).toEqual([]);
  });

  it('starts for a member of a requester group, asking Slack about the group', async () => {
    const reply = await command(GROUP_MEMBER, 'start orders-api 1.4.2');

    expect(reply).toContain('Started *orders-api*');
    expect(env.standin.calls().filter((c) => c.method === 'usergroups.users.list')).toHaveLength(1);
    const [release] = await world.store.activeReleases();
    expect(release?.requestedBy).toEqual({ kind: 'person', id: GROUP_MEMBER, groups: [GROUP] });
  });

  it('does not ask Slack about groups for a requester listed by name', async () => {
    expect(await command(REQUESTER, 'start orders-api 1.4.2')).toContain('Started');
    expect(env.standin.calls().some((c) => c.method.startsWith('usergroups.'))).toBe(false);
  });
});

describe('change freezes', () => {
  it('refuse Slack and pipeline starts, show in /canary list, and are lifted by unfreeze', async () => {
    // Prepare
    const froze = await command(APPROVER, 'freeze orders-api quarter close <!channel>');
    expect(froze).toContain('Froze *orders-api*');

    // Act
    const fromSlack = await command(REQUESTER, 'start orders-api 1.4.2');
    const fromPipeline = await pipelineStart('frozen-pipeline-start');
    const list = await command(STRANGER, 'list');

    // Assess
    expect(fromSlack).toContain('*orders-api* is frozen');
    expect(fromSlack).toContain(`frozen by <@${APPROVER}>`);
    expect(fromSlack).toContain('quarter close &lt;!channel&gt;');
    expect(fromSlack).toContain('`/canary unfreeze orders-api`');
    expect(fromPipeline).toMatchObject({ refused: 'frozen' });
    expect(String(fromPipeline.message)).toMatch(
      /orders-api frozen by U0APPROVER1 \(person\) at .*quarter close/,
    );
    expect(list).toContain('*Freezes in force*');
    expect(list).toContain(`*orders-api*, frozen by <@${APPROVER}>`);
    expect(await world.store.activeReleases()).toEqual([]);

    expect(await command(APPROVER, 'unfreeze orders-api')).toContain('Lifted the freeze on *orders-api*');
    expect(await command(REQUESTER, 'start orders-api 1.4.2')).toContain('Started');
  });

  it('are refused to whoever is not an approver, who is told who may', async () => {
    const reply = await command(STRANGER, 'freeze orders-api');

    expect(reply).toContain('You may not freeze *orders-api*');
    expect(reply).toContain(`<@${APPROVER}>`);
    expect(reply).toContain(`<@${ADMIN}>`);
    expect(await world.store.freezes()).toEqual([]);
  });

  it('on every service are for the freeze admins only, and stop pipelines too', async () => {
    expect(await command(APPROVER, 'freeze all')).toContain('You may not freeze *every service*');

    expect(await command(ADMIN, 'freeze all incident 4711')).toContain('Froze *every service*');
    expect(await pipelineStart('all-frozen')).toMatchObject({ refused: 'frozen' });
    expect(await command(REQUESTER, 'start orders-api 1.4.2')).toContain('/canary unfreeze all');
    expect(await command(APPROVER, 'unfreeze all')).toContain('You may not unfreeze');
    expect(await command(ADMIN, 'unfreeze all')).toContain('Lifted the freeze on *every service*');
    expect(await pipelineStart('thawed')).toHaveProperty('releaseId');
  });

  it('keep the first freeze and say whose it is, and explain an unfreeze of nothing', async () => {
    await command(APPROVER, 'freeze orders-api first');

    expect(await command(ADMIN, 'freeze orders-api second')).toContain('already frozen');
    expect(await command(ADMIN, 'freeze orders-api second')).toContain('“first”');
    await command(ADMIN, 'unfreeze orders-api');
    expect(await command(ADMIN, 'unfreeze orders-api')).toContain('is not frozen');
    expect(await command(ADMIN, 'freeze billing-api')).toContain('No service called *billing-api*');
  });
});

describe('requests that are not what Slack sends', () => {
  it('answers a request without a headers object with 401', async () => {
    const response = await world.slack(
      slackEvent(undefined, 'command=%2Fcanary&text=list'),
      lambdaContext('slack'),
    );

    expect(response.statusCode).toBe(401);
    expect(env.standin.calls()).toEqual([]);
  });

  it('refuses a correctly signed JSON body shaped like a slash command', async () => {
    const body = JSON.stringify({
      command: '/canary',
      text: 'start orders-api 1.4.2',
      user_id: REQUESTER,
      channel_id: CHANNEL,
      trigger_id: '1.2.json',
    });
    const headers = { ...signedHeaders(SECRET, body), 'content-type': 'application/json' };

    const response = await world.slack(slackEvent(headers, body), lambdaContext('slack'));

    expect(response.statusCode).toBe(415);
    expect(await world.store.activeReleases()).toEqual([]);
  });

  it('still accepts a form post whose content type carries a charset', async () => {
    const body = 'command=%2Fcanary&text=help&user_id=U0REQUESTER&channel_id=C0RELEASES&trigger_id=1.2.3';
    const headers = {
      ...signedHeaders(SECRET, body),
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    };

    const response = await world.slack(slackEvent(headers, body), lambdaContext('slack'));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body)).text).toContain('/canary freeze');
  });
});

import { PutParameterCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { listChangePending } from '../../adapters/internal-events';
import { memoryServiceConfigs } from '../../adapters/memory-service-configs';
import { ssmRoutingListHosts } from '../../adapters/ssm-routing-list-hosts';
import { ssmRoutingListReader, ssmRoutingLists } from '../../adapters/ssm-routing-lists';
import { freezeService } from '../../app/freeze-service';
import { routingListEffects } from '../../app/routing-list-effects';
import { routingListRequests } from '../../app/routing-list-requests';
import type { ListChange } from '../../domain/routing-lists';
import { effectsHandler } from '../../handlers/effects';
import { slackHandler } from '../../handlers/slack';
import { ssmCommandHandler } from '../../handlers/ssm-command';
import { getTestEvent } from '../../local/fixture-events';
import { APPROVER, REQUESTER, STRANGER, serviceConfig } from '../../local/fixture-service-config';
import { lambdaContext } from '../../local/lambda-http';
import { holdToContract } from '../support/aws-contract';
import { fakeParameterStore } from '../support/fake-parameter-store';
import { harness } from '../support/harness';
import { slackOnLoopback } from '../support/slack-loopback';

/*
 * `/canary vip` and `/canary tester` through the real Slack function (signed requests, Bolt, the Slack stand-in),
 * and the change it hands on run by the real `effects` handler: the list written to Parameter Store and the apply
 * document sent through Run Command, on an SSM client mocked and held to AWS's model. Releases live in DynamoDB
 * Local.
 */

const SECRET = 'test-signing-secret-lists-0123456789';
const CHANNEL = 'C0RELEASES';
const GROUP = 'S0RELEASERS';
const GROUP_MEMBER = 'U0GROUPMEMB';
const PATH = '/canary-agent/dev';
const VIPS = `${PATH}/routing/orders-api/vips`;
const TESTERS = `${PATH}/routing/orders-api/testers`;
const secrets = { signingSecret: SECRET, botToken: 'xoxb-test-token' };
/** A Run Command id, as SSM makes them. */
const COMMAND_ID = '0b8e1b4e-6d6c-4f7a-9a51-2f1c9e0d3a11';

const ssm = mockClient(SSMClient);
holdToContract('ssm', ssm);
afterAll(() => ssm.restore());

let parameters: ReturnType<typeof fakeParameterStore>['versions'];

let world: Awaited<ReturnType<typeof setUp>>;
const env = slackOnLoopback(
  {
    signingSecret: SECRET,
    channel: CHANNEL,
    users: [APPROVER, REQUESTER, STRANGER, GROUP_MEMBER],
    userGroups: { [GROUP]: [GROUP_MEMBER] },
  },
  () => world.slack,
);

async function setUp() {
  const store = dynamoReleaseStore(env.dynamo.client, await env.dynamo.createReleasesTable());
  const config = serviceConfig({
    approvals: { users: [APPROVER], groups: [GROUP] },
    slack: { channel: CHANNEL },
  });
  const configs = memoryServiceConfigs([config]);
  const h = harness({ store, configs: [config] });
  const client = new SSMClient({ region: 'eu-west-1' });
  const handedOff: ListChange[] = [];
  const lists = routingListRequests({
    configs,
    store,
    lists: ssmRoutingListReader(client, PATH),
    handOff: { handOff: async (change) => void handedOff.push(change) },
  });
  const freezes = freezeService({
    store,
    configs,
    clock: { now: () => h.now() },
    admins: { users: [], groups: [] },
  });
  const slack = slackHandler(async () => ({
    deps: {
      service: h.handingOff({ handOff: async () => {} }),
      store,
      configs,
      freezes,
      plans: h.previewing(),
      lists,
    },
    secrets,
    slackApiUrl: env.standin.apiUrl(),
  }));
  const hosts = ssmRoutingListHosts(client, {
    documentPrefix: 'canary-agent-dev-',
    maxConcurrency: '50%',
    maxErrors: '0',
    outputLogGroup: '/canary-agent/dev/commands',
  });
  const effects = effectsHandler(
    async () => ({ service: h.service, store }),
    async () => routingListEffects({ lists: ssmRoutingLists(client, PATH), hosts, store }),
  );
  /** What the `effects` function does with each change handed to it. */
  async function runHandedOff() {
    const results: unknown[] = [];
    while (handedOff.length > 0)
      results.push(
        await effects(listChangePending(handedOff.shift() as ListChange), lambdaContext('effects')),
      );
    return results;
  }
  /** A steps release of orders-api whose routing proxy serves the stable fleet now (its first shift sent). */
  async function routingRelease() {
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: { kind: 'person', id: REQUESTER },
      strategy: { kind: 'steps', steps: [10, 100] },
    });
    if (!started.ok) throw new Error(started.message);
    await h.finishCommand('deployCanary');
    expect(h.lastCommand().operation.operation).toBe('shiftTraffic');
    return started.release.id;
  }
  const commandResults = ssmCommandHandler(async () => ({ service: h.service, store }));
  return { slack, handedOff, runHandedOff, routingRelease, commandResults };
}

beforeEach(async () => {
  ssm.reset();
  parameters = fakeParameterStore(ssm).versions;
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND_ID } });
  world = await setUp();
  env.standin.reset();
});

/** `/canary <text>` typed by `user` in the release channel: the reply, which only they see. */
async function command(user: string, text: string): Promise<string> {
  const { status, reply } = await env.standin.command(user, text);
  expect(status).toBe(200);
  const body = JSON.parse(reply ?? '{}') as { response_type?: string; text?: string };
  expect(body.response_type).toBe('ephemeral');
  return String(body.text ?? '');
}

const sent = () => ssm.commandCalls(SendCommandCommand).map((call) => call.args[0].input);
const puts = () => ssm.commandCalls(PutParameterCommand).map((call) => call.args[0].input);

describe('/canary vip and /canary tester', () => {
  it('lets an approver add a VIP while a steps release routes users: the list written, then sent to the stable fleet', async () => {
    const releaseId = await world.routingRelease();

    const reply = await command(APPROVER, 'vip add orders-api u-1234');

    expect(reply).toContain('Adding `u-1234` to the VIPs of *orders-api* (pinned to stable)');
    expect(reply).toContain(`The release routing users now (\`${releaseId}\`) gets it on its stable hosts`);
    // The Slack function wrote nothing: it handed the change on.
    expect(puts()).toEqual([]);
    expect(world.handedOff).toEqual([
      { service: 'orders-api', list: 'vips', action: 'add', entry: 'u-1234', by: APPROVER },
    ]);

    expect(await world.runHandedOff()).toEqual([
      { changed: true, sent: { releaseId, commandId: COMMAND_ID } },
    ]);
    expect(puts()).toEqual([
      expect.objectContaining({
        Name: VIPS,
        Value: 'u-1234',
        Type: 'StringList',
        Overwrite: true,
        Tier: 'Standard',
      }),
    ]);
    expect(puts()[0]?.Description).toContain(`${APPROVER} added u-1234`);
    expect(sent()).toEqual([
      expect.objectContaining({
        DocumentName: 'canary-agent-dev-apply-routing-lists',
        Targets: [{ Key: 'tag:canary-agent:fleet', Values: ['orders-api-stable'] }],
        Parameters: expect.objectContaining({
          Service: ['orders-api'],
          ReleaseId: [releaseId],
          VipList: ['u-1234'],
          VipListVersion: ['1'],
          TesterList: [''],
          TesterListVersion: ['0'],
          StickyCookie: ['uid'],
        }),
      }),
    ]);
    // The host keeps the share it routes with: the apply document is not told one.
    expect(sent()[0]?.Parameters).not.toHaveProperty('CanaryPercent');

    const list = await command(APPROVER, 'vip list orders-api');
    expect(list).toContain('*VIPs* (pinned to stable): `u-1234`');
    expect(list).toContain('*Testers* (sent to the canary): none');
    expect(list).toContain(`A steps release routes users now (\`${releaseId}\`)`);
  });

  it('lets a member of an approver group remove a VIP; with no release routing, the list is written and no host is sent anything', async () => {
    parameters.set(VIPS, ['u-1234,tier=gold,203.0.113.0/24']);

    const reply = await command(GROUP_MEMBER, 'vip remove orders-api tier=gold');
    expect(reply).toContain('Removing `tier=gold` from the VIPs of *orders-api*');
    expect(reply).toContain(
      'No steps release routes users now: the next one takes the list with its first step.',
    );
    expect(await world.runHandedOff()).toEqual([{ changed: true, sent: null }]);

    expect(puts()).toEqual([expect.objectContaining({ Name: VIPS, Value: 'u-1234,203.0.113.0/24' })]);
    expect(sent()).toEqual([]);
    // Removing what is not there changes nothing and hands nothing on.
    expect(await command(APPROVER, 'vip remove orders-api tier=gold')).toContain(
      '`tier=gold` is not among the VIPs of *orders-api*: nothing to remove.',
    );
    expect(world.handedOff).toEqual([]);
  });

  it('adds a tester the same way, into its own list', async () => {
    await world.routingRelease();
    expect(await command(APPROVER, 'tester add orders-api qa-7')).toContain('(sent to the canary)');
    await world.runHandedOff();
    expect(puts()).toEqual([expect.objectContaining({ Name: TESTERS, Value: 'qa-7' })]);
    expect(sent()[0]?.Parameters).toMatchObject({
      TesterList: ['qa-7'],
      TesterListVersion: ['1'],
      VipList: [''],
    });
  });

  it('refuses anyone but the service’s approvers, naming who may, and hands nothing on', async () => {
    for (const user of [STRANGER, REQUESTER]) {
      const reply = await command(user, 'vip add orders-api u-1234');
      expect(reply).toContain('You may not change the VIPs of *orders-api*: only its approvers');
      expect(reply).toContain(`<@${APPROVER}>`);
      expect(reply).toContain('members of `@s0releasers`');
    }
    expect(world.handedOff).toEqual([]);
    expect(await world.runHandedOff()).toEqual([]);
    expect(puts()).toEqual([]);
  });

  it('answers input that is not a list command with what to type, changing nothing', async () => {
    const cases: [string, RegExp][] = [
      ['vip', /Say what to do with the VIPs: `\/canary vip add orders-api u-1234`/],
      [
        'vip frob orders-api',
        /`frob` is not something `vip` does: type `\/canary vip add orders-api u-1234`/,
      ],
      [
        'vip add',
        /Missing the service: name it right after `add`, e\.g\. `\/canary vip add orders-api u-1234`/,
      ],
      ['vip add Orders-API u-1', /names are lower-case, so type `orders-api`/],
      ['vip add orders-api', /Missing what to add: a user id, a cookie as `name=value` or an IPv4 network/],
      [
        'vip add orders-api u;1',
        /is not a user id .* or an IPv4 client network .*e\.g\. `\/canary vip add orders-api u-1234`/,
      ],
      ['vip add orders-api 10.1.2.3/16', /has bits set past its prefix: the network is `10\.1\.0\.0\/16`/],
      ['vip add orders-api 2001:db8::/32', /IPv6 networks cannot be listed yet/],
      ['tester add orders-api a b', /Unexpected `b`: one entry at a time/],
      ['vip list orders-api extra', /Unexpected `extra`/],
    ];
    for (const [text, expected] of cases) {
      const reply = await command(APPROVER, text);
      expect(reply, text).toMatch(expected);
      expect(reply, text).toContain('Usage: `/canary');
    }
    expect(world.handedOff).toEqual([]);
    expect(await command(APPROVER, 'vip add billing-api u-1')).toContain('billing-api');
    expect(world.handedOff).toEqual([]);
  });

  it('says when a list is full: a Standard parameter holds 4,096 characters', async () => {
    const full = Array.from({ length: 512 }, (_, i) => `u-${String(i).padStart(5, '0')}`).join(',');
    parameters.set(VIPS, [full.slice(0, 4090)]);

    const reply = await command(APPROVER, 'vip add orders-api a-very-long-user-id-0001');

    expect(reply).toContain('The VIPs of *orders-api* are full');
    expect(reply).toContain('a Standard parameter holds 4,096');
    expect(world.handedOff).toEqual([]);
  });

  it('takes a host’s result of the apply document for what it is: logged, never a release’s event to retry', async () => {
    for (const status of ['Success', 'Failed']) {
      const event = getTestEvent('aws.ssm/command-invocation-status-change', {
        detail: { 'command-id': COMMAND_ID, 'document-name': 'canary-agent-dev-apply-routing-lists', status },
      });
      expect(await world.commandResults(event, lambdaContext('ssmCommand'))).toEqual({
        ignored: 'routing lists',
      });
    }
  });
});

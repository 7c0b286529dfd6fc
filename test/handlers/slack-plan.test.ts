import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, type InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeInstanceInformationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchAlarmCatalog, cloudWatchAlarmStates } from '../../adapters/cloudwatch-alarm-reader';
import { lambdaPreflight } from '../../adapters/lambda-preflight';
import { PLAN_RUN_ACTION_ID } from '../../adapters/slack-presentation/plan-preview';
import { ssmInstanceCensus } from '../../adapters/ssm-instance-census';
import { surveyWith } from '../../app/plan-survey';
import { preflightHandler } from '../../handlers/preflight';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import { lambdaContext } from '../../local/lambda-http';
import type { ConsoleMessage } from '../../local/slack-standin';
import { holdToContract } from '../support/aws-contract';
import { slackFunctionOnLoopback } from './slack-world';

/*
 * `/canary plan` through the real Slack function (signed requests from the Slack stand-in, releases in DynamoDB
 * Local). The Slack function asks the real preflight function, invoked through a mocked Lambda client; the preflight
 * function reads SSM and CloudWatch through the real adapters, their clients mocked with AWS's documented answers and
 * held to AWS's models.
 */

const REGION = { region: 'eu-west-1' };
const PREFLIGHT = 'arn:aws:lambda:eu-west-1:123456789012:function:canary-agent-test-preflight';
const lambda = mockClient(LambdaClient);
const ssm = mockClient(SSMClient);
const cloudWatch = mockClient(CloudWatchClient);
holdToContract('ssm', ssm);
holdToContract('cloudWatch', cloudWatch);
afterAll(() => {
  for (const mock of [lambda, ssm, cloudWatch]) mock.restore();
});

const preflight = preflightHandler(() => ({
  alarmCatalog: cloudWatchAlarmCatalog(new CloudWatchClient(REGION)),
  listeners: {
    liveTargetGroup: async () => {
      throw new Error('orders-api is no blue/green service: no listener is read here');
    },
  },
  survey: surveyWith(
    ssmInstanceCensus(new SSMClient(REGION)),
    cloudWatchAlarmStates(new CloudWatchClient(REGION)),
  ),
}));

/** Lambda's synchronous Invoke as documented: 200 with the handler's result, or `FunctionError` when it throws. */
async function invokePreflight(input: InvokeCommandInput) {
  const event: unknown = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  try {
    return { StatusCode: 200, Payload: encode(await preflight(event, lambdaContext('preflight'))) };
  } catch (error) {
    const { name, message } = error as Error;
    return {
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: name, errorMessage: message }),
    };
  }
}

const { env, world, command, lastEphemeralTo } = slackFunctionOnLoopback([], {
  survey: lambdaPreflight(new LambdaClient(REGION), { functionName: PREFLIGHT }).survey,
});

type Fleet = 'orders-api-canary' | 'orders-api-stable';
/** SSM's managed instances per fleet tag value, as DescribeInstanceInformation lists them, two to a page. */
let instances: Record<Fleet, ('Online' | 'ConnectionLost')[]>;
/** The alarms CloudWatch has, by name, and their state. */
let alarms: Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>;

beforeEach(() => {
  for (const mock of [lambda, ssm, cloudWatch]) mock.reset();
  instances = {
    'orders-api-canary': ['Online'],
    'orders-api-stable': ['Online', 'ConnectionLost', 'Online', 'Online'],
  };
  alarms = { 'orders-api-canary-5xx': 'OK', 'orders-api-stable-health': 'OK' };
  lambda.on(InvokeCommand).callsFake(invokePreflight);
  ssm
    .on(DescribeInstanceInformationCommand)
    .callsFake(async (input: { Filters?: { Key: string; Values: string[] }[]; NextToken?: string }) => {
      const [fleet] = input.Filters?.find((f) => f.Key === 'tag:canary-agent:fleet')?.Values ?? [];
      const all = instances[fleet as Fleet] ?? [];
      const start = Number(input.NextToken ?? 0);
      const page = all.slice(start, start + 2).map((PingStatus, i) => ({
        InstanceId: `i-0${String(start + i).padStart(16, '0')}`,
        PingStatus,
        ResourceType: 'EC2Instance',
        PlatformType: 'Linux',
      }));
      return start + 2 < all.length
        ? { InstanceInformationList: page, NextToken: String(start + 2) }
        : { InstanceInformationList: page };
    });
  cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? [])
      .filter((name) => alarms[name] !== undefined)
      .map((AlarmName) => ({
        AlarmName,
        StateValue: alarms[AlarmName],
        StateReason: 'Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).',
        StateUpdatedTimestamp: new Date('2026-11-22T13:00:00.000Z'),
      })),
    CompositeAlarms: [],
  }));
});

const previewTo = (user: string): ConsoleMessage | undefined =>
  env.standin
    .messages()
    .filter((m) => m.visibleTo === user && m.from === 'app')
    .at(-1);
const textOf = (message: ConsoleMessage | undefined) =>
  (message?.blocks ?? []).map((block) => (block as { text?: { text?: string } }).text?.text ?? '').join('\n');
const runButtonOf = (message: ConsoleMessage | undefined) =>
  (message?.blocks ?? [])
    .flatMap((b) => (b as { elements?: { action_id?: string; value?: string }[] }).elements ?? [])
    .find((e) => e.action_id === PLAN_RUN_ACTION_ID);

async function clickRun(user: string, preview: ConsoleMessage | undefined, value?: string) {
  const button = runButtonOf(preview);
  const clicked = await env.standin.click(
    user,
    preview?.id ?? '',
    PLAN_RUN_ACTION_ID,
    value ?? button?.value ?? '',
    'plan:orders-api:1.4.2',
  );
  expect(clicked.status).toBe(200);
}

async function storedItems(): Promise<number> {
  const scan = await env.dynamo.client.send(new ScanCommand({ TableName: world.tableName, Select: 'COUNT' }));
  return scan.Count ?? -1;
}

describe('/canary plan', () => {
  it('previews a healthy plan: its steps, each fleet’s instances now, the alarms’ states and the duration', async () => {
    const reply = await command(REQUESTER, 'plan orders-api 1.4.2 window=10m');
    const text = textOf(previewTo(REQUESTER));

    expect(reply).toBe('Plan for orders-api 1.4.1 → 1.4.2: it can run');
    expect(text).toContain('*Plan: orders-api 1.4.1 → 1.4.2*, mirroring 10%. Nothing was changed');
    expect(text).toContain('✅ *It can run*: Run starts exactly this plan.');
    expect(text).toContain(
      '*Steps*\n1. deploy 1.4.2 to the canary\n2. mirror 10% of requests\n3. verify for 10 min\n4. wait for an approver',
    );
    expect(text).toContain('• the canary fleet, `canary-agent:fleet=orders-api-canary`: 1 instance, online');
    expect(text).toContain(
      '• the stable fleet, `canary-agent:fleet=orders-api-stable`: 4 instances, 3 online (⚠️ Run Command cannot reach the rest)',
    );
    expect(text).toContain('🟢 `orders-api-canary-5xx`: *OK* since <!date^1795352400^{time}|13:00 UTC>');
    expect(text).toContain('🟢 `orders-api-stable-health`: *OK*');
    expect(text).toContain('*Expected duration*: about 10 min of watching (a 10 min window)');
    expect(text).toContain('The approval waits for a person');
    expect(runButtonOf(previewTo(REQUESTER))?.value).toBe('orders-api 1.4.2 window=600');
    // One synchronous question to the preflight function; the stable fleet's four instances took two pages.
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: PREFLIGHT,
      InvocationType: 'RequestResponse',
    });
    expect(ssm).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 3);
  });

  it('writes nothing: no item in DynamoDB, no hand-off, no command to any host', async () => {
    await command(REQUESTER, 'plan orders-api 1.4.2 strategy=mirror,steps:5,25,100');

    expect(runButtonOf(previewTo(REQUESTER))).toBeDefined();
    expect(await storedItems()).toBe(0);
    expect(world.handedOff).toEqual([]);
    expect(world.h.commands).toEqual([]);
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 0);
  });

  it('says a plan cannot run when no instance carries a fleet’s tags or a watched alarm does not exist', async () => {
    instances['orders-api-canary'] = [];
    delete alarms['orders-api-stable-health'];

    const reply = await command(REQUESTER, 'plan orders-api 1.4.2');
    const text = textOf(previewTo(REQUESTER));

    expect(reply).toBe('Plan for orders-api 1.4.1 → 1.4.2: it cannot run now');
    expect(text).toContain(
      '⛔ *It cannot run now:*\n• No instance carries the tags of the canary fleet (`canary-agent:fleet=orders-api-canary`): Run Command would reach no host.\n• *orders-api* watches alarms that do not exist in CloudWatch: `orders-api-stable-health`.',
    );
    expect(text).toContain('❌ `orders-api-stable-health`: does not exist');
    expect(runButtonOf(previewTo(REQUESTER))).toBeUndefined();
    expect(await storedItems()).toBe(0);
  });

  it('says a frozen service cannot run, naming who froze it and why', async () => {
    expect(await command(APPROVER, 'freeze orders-api quarter close')).toContain('Froze *orders-api*');

    await command(REQUESTER, 'plan orders-api 1.4.2');
    const text = textOf(previewTo(REQUESTER));

    expect(text).toContain('⛔ *It cannot run now:*\n• *orders-api* is frozen, so no release of it starts:');
    expect(text).toContain('“quarter close”');
    expect(runButtonOf(previewTo(REQUESTER))).toBeUndefined();
  });

  it('says why options outside the service’s bounds make no plan, and asks nothing of AWS', async () => {
    const reply = await command(REQUESTER, 'plan orders-api 1.4.2 mirror=80');

    expect(reply).toBe(
      "⛔ This plan cannot run: mirror=80 is outside orders-api's bounds: 1 to 50 percent.\nUsage: `/canary plan ‹service› ‹version› [the options of start]`",
    );
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });
});

describe("a plan preview's Run button", () => {
  it('starts exactly the previewed plan once: a second click on it is refused while it runs', async () => {
    await command(REQUESTER, 'plan orders-api 1.4.2 strategy=mirror,steps:5,25,100 window=10m');
    const preview = previewTo(REQUESTER);

    await clickRun(REQUESTER, preview);

    await expect.poll(() => lastEphemeralTo(REQUESTER)).toContain('Started *orders-api* 1.4.1 → 1.4.2');
    const [release] = await world.store.activeReleases();
    expect(release).toMatchObject({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: { kind: 'person', id: REQUESTER },
      strategy: { kind: 'steps', steps: [5, 25, 100], bakeSeconds: 600, mirror: { percent: 10 } },
      policy: { channel: 'C0RELEASES' },
    });
    expect(world.handedOff).toEqual([release?.id]);

    await clickRun(REQUESTER, preview);

    await expect
      .poll(() => lastEphemeralTo(REQUESTER))
      .toBe('This request was already handled: see the release card in the channel.');
    expect(await world.store.activeReleases()).toHaveLength(1);
  });

  it('notes a release in progress, and a new preview’s Run then goes the start path: no second release', async () => {
    await command(REQUESTER, 'plan orders-api 1.4.2');
    await clickRun(REQUESTER, previewTo(REQUESTER));
    await expect.poll(() => lastEphemeralTo(REQUESTER)).toContain('Started *orders-api*');
    const [running] = await world.store.activeReleases();

    await command(APPROVER, 'plan orders-api 1.4.3');
    const second = previewTo(APPROVER);
    await clickRun(APPROVER, second);

    expect(textOf(second)).toContain(`ℹ️ A release of *orders-api* is in progress now (\`${running?.id}\`)`);
    await expect.poll(() => lastEphemeralTo(APPROVER)).not.toMatch(/^Started|Plan for/);
    expect((await world.store.activeReleases()).map((r) => r.id)).toEqual([running?.id]);
  });

  it('reads its words again on the click, and starts nothing from words that are not a command', async () => {
    await command(REQUESTER, 'plan orders-api 1.4.2');

    await clickRun(REQUESTER, previewTo(REQUESTER), 'orders-api 1.4.2 mirror=500');

    await expect.poll(() => lastEphemeralTo(REQUESTER)).toBe('This button is not one of ours.');
    expect(await storedItems()).toBe(0);
  });
});

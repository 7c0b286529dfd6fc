import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricWidgetImageCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CancelCommandCommand,
  GetParameterCommand,
  ListCommandsCommand,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Release } from '../../domain/types';
import { signedHeaders } from '../../handlers/slack/request-signature';
import { getTestEvent } from '../../local/fixture-events';
import { BLUE_GREEN, configInput } from '../../local/fixture-service-config';
import {
  BUS_ARN,
  DLQ_ARN,
  EFFECTS_ARN,
  lambdaEnv,
  ROLE_ARN,
  STAGE_PATH,
  TIMER_ARN,
} from '../../local/lambda-env';
import { lambdaContext } from '../../local/lambda-http';
import { type SlackStandin, slackStandin } from '../../local/slack-standin';
import { answerAgentParameters } from '../support/agent-parameters';
import { type LocalDynamo, startLocalDynamo } from '../support/dynamodb-local';

type Handler = typeof import('../../handlers/alarm')['handler'];
type Handlers = Record<'alarm' | 'ssmCommand' | 'pipeline' | 'timer' | 'sweeper' | 'effects', Handler>;

const ssm = mockClient(SSMClient);
const cloudWatch = mockClient(CloudWatchClient);
const eventBridge = mockClient(EventBridgeClient);
const scheduler = mockClient(SchedulerClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const lambda = mockClient(LambdaClient);

let dynamo: LocalDynamo;
let handlers: Handlers;
let slackFunction: typeof import('../../handlers/slack')['handler'];
const SIGNING_SECRET = 'handler-test-signing-secret';
// The Slack Web API, for the card the notifier posts and updates (SLACK_API_URL points the WebClient at it).
const slack: SlackStandin = slackStandin({
  signingSecret: SIGNING_SECRET,
  appUrl: () => 'http://127.0.0.1:9/unused',
  channel: 'C0RELEASES',
  users: [],
});
let compose: typeof import('../../handlers/compose');
const savedEnv = { ...process.env };

const config = configInput({ alarms: { canary: ['canary-orders-api-5xx'], stable: [] } });
let commandCount = 0;
/** The eight bytes every PNG starts with: CloudWatch's image, as far as the agent cares. */
const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await slack.start();
  Object.assign(process.env, lambdaEnv(await dynamo.createReleasesTable(), dynamo.endpoint), {
    SLACK_API_URL: slack.apiUrl(),
  });
  compose = await import('../../handlers/compose');
  handlers = {
    alarm: (await import('../../handlers/alarm')).handler,
    ssmCommand: (await import('../../handlers/ssm-command')).handler,
    pipeline: (await import('../../handlers/pipeline')).handler,
    timer: (await import('../../handlers/timer')).handler,
    sweeper: (await import('../../handlers/sweeper')).handler,
    effects: (await import('../../handlers/effects')).handler,
  };
  slackFunction = (await import('../../handlers/slack')).handler;
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await slack.stop();
  await dynamo?.stop();
});

afterEach(() => {
  vi.useRealTimers();
});

beforeEach(async () => {
  for (const mock of [ssm, cloudWatch, eventBridge, scheduler, elb, lambda]) mock.reset();
  // Each test gets a fresh table, so releases from other tests never interfere.
  process.env.RELEASES_TABLE = await dynamo.createReleasesTable();
  compose.resetForTests();
  slack.reset();
  answerAgentParameters(ssm, {
    signingSecret: SIGNING_SECRET,
    botToken: 'xoxb-handler-test',
    config,
    version: '1.4.1',
  });
  ssm.on(SendCommandCommand).callsFake(async () => ({
    Command: { CommandId: `0000000${++commandCount}-aaaa-bbbb-cccc-dddddddddddd` },
  }));
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  scheduler
    .on(CreateScheduleCommand)
    .resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/x/y' });
  // Every alarm asked for exists and is OK.
  cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({
      AlarmName,
      StateValue: 'OK',
      StateReason: 'Threshold not crossed',
    })),
  }));
});

const invoke = (name: keyof Handlers, event: unknown) =>
  handlers[name](event, lambdaContext(`canary-agent-test-${name}`));

async function sentCommandId(index: number): Promise<string> {
  const result = (await ssm.commandCalls(SendCommandCommand)[index]?.returnValue) as {
    Command: { CommandId: string };
  };
  return result.Command.CommandId;
}

async function load(releaseId: string): Promise<Release> {
  const release = await (await compose.agent()).store.load(releaseId);
  if (!release) throw new Error(`release ${releaseId} not stored`);
  return release;
}

function ssmEvent(kind: 'command' | 'invocation', commandId: string, document: string, status = 'Success') {
  return getTestEvent(
    kind === 'command' ? 'aws.ssm/command-status-change' : 'aws.ssm/command-invocation-status-change',
    {
      id: `${kind}-${commandId}-${status}`,
      detail: { 'command-id': commandId, 'document-name': `canary-agent-test-${document}`, status },
    },
  );
}

async function finish(document: string, index: number) {
  const commandId = await sentCommandId(index);
  await invoke('ssmCommand', ssmEvent('invocation', commandId, document));
  return invoke('ssmCommand', ssmEvent('command', commandId, document));
}

/**
 * Fires the validation window's timer as Scheduler does: once the window is over. Only `Date` is faked, to the
 * window's end; the handlers read their clock from it.
 */
async function elapseWindow(releaseId: string): Promise<void> {
  const run = (await load(releaseId)).run;
  if (run?.kind !== 'validate') throw new Error('no validation window is running');
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.parse(run.windowEndsAt));
  await invoke('timer', getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId: run.timerId }));
}

async function startRelease(): Promise<string> {
  const result = (await invoke('pipeline', getTestEvent('canary-agent/release-requested'))) as {
    releaseId: string;
  };
  return result.releaseId;
}

describe('the Lambda handlers (real middy handlers, DynamoDB Local, mocked AWS APIs)', () => {
  it('export (event, context) handlers', () => {
    for (const handler of Object.values(handlers)) expect(handler.length).toBe(2);
  });

  it('pipeline "Release Requested" starts a release and runs deployCanary through SSM Run Command', async () => {
    const releaseId = await startRelease();

    expect((await load(releaseId)).state).toBe('deployingCanary');
    expect(ssm).toHaveReceivedCommandExactlyOnceWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-deploy-canary',
      Targets: [{ Key: 'tag:canary-agent:fleet', Values: ['orders-api-canary'] }],
      Parameters: expect.objectContaining({
        Service: ['orders-api'],
        ReleaseId: [releaseId],
        Version: ['1.4.2'],
        Image: ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api'],
        ContainerPort: ['8080'],
      }),
      MaxConcurrency: '10%',
      MaxErrors: '0',
      TimeoutSeconds: 600,
      CloudWatchOutputConfig: {
        CloudWatchOutputEnabled: true,
        CloudWatchLogGroupName: '/canary-agent/test/host-operations',
      },
      Comment: expect.stringContaining(releaseId),
    });
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ EventBusName: BUS_ARN, DetailType: 'Release State Changed' })],
    });
  });

  it('a blue/green "Release Requested" reads the listener, deploys the idle colour, then switches the listener', async () => {
    const blueGreen = configInput({
      alarms: { canary: ['canary-orders-api-5xx'], stable: [] },
      fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
      blueGreen: {
        listenerArn: BLUE_GREEN.listenerArn,
        blue: { ...BLUE_GREEN.blue, alarms: ['canary-orders-api-blue-5xx'] },
        green: { ...BLUE_GREEN.green, alarms: ['canary-orders-api-green-5xx'] },
      },
    });
    ssm.on(GetParameterCommand, { Name: `${STAGE_PATH}/services/orders-api` }).resolves({
      Parameter: {
        Name: `${STAGE_PATH}/services/orders-api`,
        Value: JSON.stringify(blueGreen),
        Type: 'String',
      },
    });
    const forward = (targetGroupArn: string) => ({
      Listeners: [
        {
          ListenerArn: BLUE_GREEN.listenerArn,
          Port: 80,
          Protocol: 'HTTP' as const,
          DefaultActions: [
            {
              Type: 'forward' as const,
              TargetGroupArn: targetGroupArn,
              ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }] },
            },
          ],
        },
      ],
    });
    elb.on(DescribeListenersCommand).resolves(forward(BLUE_GREEN.blue.targetGroupArn));
    elb.on(ModifyListenerCommand).resolves(forward(BLUE_GREEN.green.targetGroupArn));

    const requested = getTestEvent<{ detail: Record<string, unknown> }>('canary-agent/release-requested', {
      detail: { strategy: 'blue-green' },
    });
    // The fixture asks for a mirrored share, which blue/green refuses (it does not mirror).
    expect(await invoke('pipeline', requested)).toMatchObject({ refused: 'percent-without-mirror' });
    delete requested.detail.percent;
    const { releaseId } = (await invoke('pipeline', { ...requested, id: 'blue-green-without-percent' })) as {
      releaseId: string;
    };
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-deploy-idle',
      Targets: [{ Key: 'tag:canary-agent:fleet', Values: ['orders-api-green'] }],
    });
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 0);

    await finish('deploy-idle', 0);
    expect(elb).toHaveReceivedCommandExactlyOnceWith(ModifyListenerCommand, {
      ListenerArn: BLUE_GREEN.listenerArn,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE_GREEN.green.targetGroupArn, Weight: 1 }] },
        },
      ],
    });
    const release = await load(releaseId);
    expect(release.state).toBe('verifying');
    expect(release.policy.watchedAlarms).toEqual(['canary-orders-api-green-5xx']);
  });

  it('a redelivered "Release Requested" starts nothing twice', async () => {
    await startRelease();
    const again = await invoke('pipeline', getTestEvent('canary-agent/release-requested'));

    expect(again).toMatchObject({ refused: expect.stringMatching(/duplicate-request|release-busy/) });
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 1);
  });

  it('SSM results move the release on; the validation window is a one-time schedule on the agent bus', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    expect(ssm).toHaveReceivedNthCommandWith(SendCommandCommand, 2, {
      DocumentName: 'canary-agent-test-start-mirror',
      Targets: [{ Key: 'tag:canary-agent:fleet', Values: ['orders-api-stable'] }],
      Parameters: expect.objectContaining({
        MirrorPercent: ['10'],
        MirrorHost: ['orders-canary-123.eu-west-1.elb.amazonaws.com'],
      }),
    });

    await finish('start-mirror', 1);

    const release = await load(releaseId);
    expect(release.state).toBe('verifying');
    expect(scheduler).toHaveReceivedCommandExactlyOnceWith(CreateScheduleCommand, {
      Name: release.run?.kind === 'validate' ? release.run.timerId : 'no window',
      GroupName: 'canary-agent-test',
      ScheduleExpression: expect.stringMatching(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: expect.any(String),
      Target: {
        // The timer function itself, not the agent's bus: no pipeline can forge a timer (README, "Trust model").
        Arn: TIMER_ARN,
        RoleArn: ROLE_ARN,
        Input: JSON.stringify({
          source: 'canary-agent.timers',
          releaseId,
          timerId: release.run?.kind === 'validate' && release.run.timerId,
        }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
        DeadLetterConfig: { Arn: DLQ_ARN },
      },
    });
  });

  it('a duplicated SSM result changes nothing the second time', async () => {
    await startRelease();
    await finish('deploy-canary', 0);
    await finish('deploy-canary', 0);

    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 2);
  });

  it('the timer reads the watched alarms with DescribeAlarms and waits for approval when they are quiet', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);

    await elapseWindow(releaseId);

    // Once at the start (the alarms exist), once at the window's end.
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 2);
    expect(cloudWatch).toHaveReceivedNthCommandWith(DescribeAlarmsCommand, 2, {
      AlarmNames: ['canary-orders-api-5xx'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect((await load(releaseId)).state).toBe('awaitingApproval');
  });

  it('a timer event sent before the window is over (forged, or replayed early) ends nothing', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);
    const before = await load(releaseId);
    const timerId = before.run?.kind === 'validate' ? before.run.timerId : 'no window';

    const readsBefore = cloudWatch.commandCalls(DescribeAlarmsCommand).length;

    await invoke('timer', getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId }));

    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(readsBefore);
    expect(await load(releaseId)).toMatchObject({ state: 'verifying', version: before.version });
  });

  it('Promote in Slack is answered at once and handed to the effects function by direct invocation', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);
    await elapseWindow(releaseId);
    const card = slack.messages().find((m) => m.channel === 'C0RELEASES' && !m.threadTs);
    expect(JSON.stringify(card?.blocks)).toContain('canary_promote');
    eventBridge.resetHistory();

    const payload = {
      type: 'block_actions',
      user: { id: 'U0APPROVER1' },
      trigger_id: '123.456.promote',
      container: { type: 'message', message_ts: card?.ts, channel_id: 'C0RELEASES' },
      actions: [{ type: 'button', action_id: 'canary_promote', value: releaseId, action_ts: '1' }],
      response_url: `${slack.url()}/respond/U0APPROVER1`,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const response = await slackFunction(
      { headers: signedHeaders(SIGNING_SECRET, body), body, isBase64Encoded: false } as never,
      lambdaContext('canary-agent-test-slack'),
    );

    expect(response.statusCode).toBe(200);
    expect((await load(releaseId)).state).toBe('stoppingMirror');
    expect(ssm).toHaveReceivedCommandTimes(SendCommandCommand, 2);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: EFFECTS_ARN,
      InvocationType: 'Event',
    });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);

    await invoke('effects', getTestEvent('canary-agent/effects-pending', { releaseId }));

    expect(ssm).toHaveReceivedLastCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-stop-mirror',
    });
    const updated = slack.messages().find((m) => m.ts === card?.ts);
    expect(JSON.stringify(updated?.blocks)).not.toContain('canary_promote');
    expect(JSON.stringify(updated?.blocks)).toContain('<@U0APPROVER1>');
  });

  it('a watched alarm in ALARM rolls the release back: Envoy off the stable hosts first', async () => {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);

    await invoke(
      'alarm',
      getTestEvent('aws.cloudwatch/alarm-state-change', { detail: { alarmName: 'canary-orders-api-5xx' } }),
    );

    const release = await load(releaseId);
    expect(release.state).toBe('rollingBack');
    expect(ssm).toHaveReceivedLastCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-stop-mirror',
    });
  });

  it('an alarm nobody watches touches no release', async () => {
    const releaseId = await startRelease();
    const before = await load(releaseId);

    const result = await invoke(
      'alarm',
      getTestEvent('aws.cloudwatch/alarm-state-change', { detail: { alarmName: 'canary-other-5xx' } }),
    );

    expect(result).toEqual({ releases: 0 });
    expect(await load(releaseId)).toEqual(before);
  });

  it('bad input is logged and dropped, never retried', async () => {
    const result = await invoke(
      'alarm',
      getTestEvent('aws.cloudwatch/alarm-state-change', { detail: { state: { value: 'PANIC' } } }),
    );

    expect(result).toEqual({ dropped: true });
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('an SSM result for a command no release knows is thrown, so Lambda retries it', async () => {
    const event = ssmEvent('command', '99999999-aaaa-bbbb-cccc-dddddddddddd', 'promote');

    await expect(invoke('ssmCommand', event)).rejects.toMatchObject({ code: 'UNKNOWN_RELEASE' });
  });

  it('a canary stack report for another version is ignored', async () => {
    const releaseId = await startRelease();

    const result = await invoke(
      'pipeline',
      getTestEvent('canary-agent/canary-stack-failed', { detail: { version: '9.9.9' } }),
    );

    expect(result).toEqual({ ignored: 'no active release of this version' });
    expect((await load(releaseId)).state).toBe('deployingCanary');
  });

  it('"Canary Stack Ready" from the pipeline starts mirroring for an externally built stack', async () => {
    const external = configInput({
      alarms: { canary: ['canary-orders-api-5xx'], stable: [] },
      canaryStack: { provisionedBy: 'external', elbHost: 'orders-canary-123.eu-west-1.elb.amazonaws.com' },
    });
    ssm.on(GetParameterCommand, { Name: `${STAGE_PATH}/services/orders-api` }).resolves({
      Parameter: { Value: JSON.stringify(external) },
    });
    const releaseId = await startRelease();
    expect((await load(releaseId)).state).toBe('awaitingCanaryStack');
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);

    await invoke('pipeline', getTestEvent('canary-agent/canary-stack-ready'));
    await invoke('pipeline', getTestEvent('canary-agent/canary-stack-ready'));

    expect((await load(releaseId)).state).toBe('startingMirror');
    expect(ssm).toHaveReceivedCommandExactlyOnceWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-start-mirror',
    });
  });

  it('the sweeper recovers a lost SSM result with one ListCommands call, through the engine', async () => {
    const releaseId = await startRelease();
    ssm
      .on(ListCommandsCommand)
      .resolves({ Commands: [{ CommandId: await sentCommandId(0), Status: 'Success' }] });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 200_000);
      const swept = await invoke('sweeper', { source: 'aws.events', 'detail-type': 'Scheduled Event' });

      expect(swept).toMatchObject({ checked: 1, recovered: 1 });
    } finally {
      vi.useRealTimers();
    }
    expect(ssm).toHaveReceivedCommandWith(ListCommandsCommand, { CommandId: await sentCommandId(0) });
    expect((await load(releaseId)).state).toBe('startingMirror');
  });

  it('a failed canary stack rolls back, cancelling the host command still running', async () => {
    const releaseId = await startRelease();

    await invoke('pipeline', getTestEvent('canary-agent/canary-stack-failed'));

    expect((await load(releaseId)).state).toBe('rollingBack');
    expect(ssm).toHaveReceivedCommandExactlyOnceWith(CancelCommandCommand, {
      CommandId: await sentCommandId(0),
    });
    expect(ssm).not.toHaveReceivedCommand(PutParameterCommand);
  });
});

describe('the canary analysis through the Lambda handlers (DynamoDB Local, GetMetricData and GetMetricWidgetImage mocked)', () => {
  const analysed = configInput({
    alarms: { canary: ['canary-orders-api-5xx'], stable: [] },
    validation: { defaultWindowSeconds: 300, minWindowSeconds: 300 },
    analysis: {
      loadBalancer: {
        type: 'alb',
        canary: {
          loadBalancer: 'app/orders-canary/50dc6c495c0c9188',
          targetGroup: 'targetgroup/orders-canary/73e2d6bc24d8a067',
        },
        stable: {
          loadBalancer: 'app/orders/0123456789abcdef',
          targetGroup: 'targetgroup/orders/0000000000000b1e',
        },
      },
      minimumRequests: 100,
    },
  });
  /** GetMetricData's answer, as CloudWatch documents it, for the ids the adapter asks for: m0 requests, m1 5XX, m2 p99. */
  const figures = (canary: { requests: number; errors: number }) => {
    const at = (i: number) => new Date(Date.UTC(2026, 11, 4, 10, i));
    const series = (Id: string, values: number[]) => ({
      Id,
      Label: Id,
      Timestamps: values.map((_, i) => at(i)),
      Values: values,
      StatusCode: 'Complete' as const,
    });
    return {
      MetricDataResults: [
        series('m0q0canary', [canary.requests]),
        series('m0q0stable', [9000]),
        series('m1q0canary', [canary.errors]),
        series('m1q0stable', [9]),
        series('m2q0canary', [0.2, 0.21, 0.2]),
        series('m2q0stable', [0.2, 0.2, 0.21]),
      ],
      Messages: [],
    };
  };

  beforeEach(() => {
    answerAgentParameters(ssm, {
      signingSecret: SIGNING_SECRET,
      botToken: 'xoxb-handler-test',
      config: analysed,
      version: '1.4.1',
    });
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG });
  });

  async function verifying(): Promise<string> {
    const releaseId = await startRelease();
    await finish('deploy-canary', 0);
    await finish('start-mirror', 1);
    return releaseId;
  }

  /** Fires the analysis' next interval timer as Scheduler does, once that interval is over. */
  async function elapseInterval(releaseId: string): Promise<void> {
    const run = (await load(releaseId)).run;
    const next = run?.kind === 'validate' ? run.analysis?.next : undefined;
    if (run?.kind !== 'validate' || next === undefined) throw new Error('no interval timer is set');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(run.startedAt) + next.interval * 60_000);
    await invoke('timer', getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId: next.timerId }));
  }

  it('judges each interval with one GetMetricData call for both fleets, and rolls back early on the error rate, with the chart in the thread', async () => {
    const releaseId = await verifying();
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 2);
    cloudWatch.on(GetMetricDataCommand).resolves(figures({ requests: 1000, errors: 1 }));

    await elapseInterval(releaseId);
    expect(await load(releaseId)).toMatchObject({
      state: 'verifying',
      evidence: { verdict: 'pass', score: 100 },
    });

    cloudWatch.on(GetMetricDataCommand).resolves(figures({ requests: 1000, errors: 60 }));
    await elapseInterval(releaseId);

    const release = await load(releaseId);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({
      kind: 'analysisFailed',
      early: true,
      metrics: ['errorRate'],
    });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cloudWatch.commandCalls(GetMetricDataCommand)[1]?.args[0].input.MetricDataQueries).toHaveLength(6);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricWidgetImageCommand, 1);
    expect(slack.files().map((f) => [f.title, f.mimetype])).toEqual([
      ['orders-api 1.4.2: canary against stable', 'image/png'],
    ]);
    // Under the release's card: the thread of the first message the agent posted.
    const [card] = slack.messages().filter((m) => m.from === 'app' && m.threadTs === undefined);
    const shared = slack.messages().filter((m) => (m.files ?? []).length > 0);
    expect(shared.map((m) => m.threadTs)).toEqual([card?.ts]);
  });

  it('never passes a window whose metrics could not be read: access denied holds the release as inconclusive', async () => {
    const releaseId = await verifying();
    cloudWatch.on(GetMetricDataCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), {
        name: 'AccessDenied',
      }),
    );

    await elapseWindow(releaseId);

    const release = await load(releaseId);
    expect(release.state).toBe('inconclusive');
    expect(release.evidence?.reason).toContain('could not be read: AccessDenied');
  });

  it('refuses a pipeline start whose watched alarm does not exist, naming it, and starts nothing', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });

    const result = await invoke('pipeline', getTestEvent('canary-agent/release-requested'));

    expect(result).toMatchObject({
      refused: 'missing-alarms',
      message: expect.stringContaining('do not exist in CloudWatch: canary-orders-api-5xx'),
    });
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });
});

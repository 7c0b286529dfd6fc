import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import type { Release } from '../../domain/types';
import { getTestEvent } from '../../local/fixture-events';
import { configInput } from '../../local/fixture-service-config';
import { lambdaEnv } from '../../local/lambda-env';
import { lambdaContext } from '../../local/lambda-http';
import { type SlackStandin, slackStandin } from '../../local/slack-standin';
import { answerAgentParameters } from '../support/agent-parameters';
import { holdToContract } from '../support/aws-contract';
import { type LocalDynamo, startLocalDynamo } from '../support/dynamodb-local';

type Handler = typeof import('../../handlers/alarm')['handler'];
type Handlers = Record<'alarm' | 'ssmCommand' | 'pipeline' | 'timer' | 'sweeper' | 'effects', Handler>;
type SlackFunction = typeof import('../../handlers/slack')['handler'];

export const SIGNING_SECRET = 'handler-test-signing-secret';

/**
 * For one handlers-*.test.ts file: the real middy handlers over DynamoDB Local (a fresh releases table per test),
 * the AWS APIs they call mocked (reset before each test: every alarm exists and is OK, every command and schedule is
 * accepted), and the Slack stand-in for the Web API the notifier posts the card to. `handlers` and `slackFunction`
 * are usable from the file's first test on.
 */
export function handlersOnDynamo() {
  const ssm = mockClient(SSMClient);
  const cloudWatch = mockClient(CloudWatchClient);
  const eventBridge = mockClient(EventBridgeClient);
  const scheduler = mockClient(SchedulerClient);
  const elb = mockClient(ElasticLoadBalancingV2Client);
  const lambda = mockClient(LambdaClient);
  // Lambda's model is not among AWS's models here: its hand-off's shapes are checked in lambda-hand-off.test.ts.
  holdToContract('ssm', ssm);
  holdToContract('cloudWatch', cloudWatch);
  holdToContract('eventBridge', eventBridge);
  holdToContract('scheduler', scheduler);
  holdToContract('elb', elb);

  let dynamo: LocalDynamo;
  const handlers = {} as Handlers;
  let slackHandler: SlackFunction;
  const slackFunction: SlackFunction = ((...args: Parameters<SlackFunction>) =>
    slackHandler(...args)) as SlackFunction;
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

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    await slack.start();
    Object.assign(process.env, lambdaEnv(await dynamo.createReleasesTable(), dynamo.endpoint), {
      SLACK_API_URL: slack.apiUrl(),
    });
    compose = await import('../../handlers/compose');
    Object.assign(handlers, {
      alarm: (await import('../../handlers/alarm')).handler,
      ssmCommand: (await import('../../handlers/ssm-command')).handler,
      pipeline: (await import('../../handlers/pipeline')).handler,
      timer: (await import('../../handlers/timer')).handler,
      sweeper: (await import('../../handlers/sweeper')).handler,
      effects: (await import('../../handlers/effects')).handler,
    });
    slackHandler = (await import('../../handlers/slack')).handler;
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
      Command: { CommandId: `${String(++commandCount).padStart(8, '0')}-aaaa-bbbb-cccc-dddddddddddd` },
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

  return {
    ssm,
    cloudWatch,
    eventBridge,
    scheduler,
    elb,
    lambda,
    slack,
    handlers,
    slackFunction,
    invoke,
    sentCommandId,
    load,
    ssmEvent,
    finish,
    elapseWindow,
    startRelease,
  };
}

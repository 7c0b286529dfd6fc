/**
 * `npm run bench aws`: per Lambda function, the bundle size and the cold start (a fresh Node process that loads
 * the bundle and handles one event against DynamoDB Local) as a ratio to `node -e 0` (bench/cold-start.ts); then
 * the AWS calls, DynamoDB writes and Lambda invocations one complete release makes, and their on-demand cost.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  type Action,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  GetParameterCommand,
  GetParametersCommand,
  ParameterNotFound,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { signedHeaders } from '../handlers/slack/request-signature';
import { spawnLocalDynamo as startLocalDynamo } from '../local/dynamodb-local';
import { getTestEvent } from '../local/fixture-events';
import { APPROVER, BLUE_GREEN, configInput } from '../local/fixture-service-config';
import { lambdaEnv, STAGE_PATH } from '../local/lambda-env';
import { lambdaContext } from '../local/lambda-http';
import { slackStandin } from '../local/slack-standin';
import { bundlesAndColdStarts } from './cold-start';
import { countDynamo, printRelease } from './release-figures';
import { skipClockTo } from './skipped-clock';
import { SLACK_SECRET } from './slack-requests';

async function oneRelease(): Promise<void> {
  const dynamo = await startLocalDynamo();
  const slack = slackStandin({
    signingSecret: SLACK_SECRET,
    appUrl: () => 'http://127.0.0.1:9/unused',
    channel: 'C0RELEASES',
    users: [],
  });
  await slack.start();
  const saved = { ...process.env };
  try {
    Object.assign(process.env, lambdaEnv(await dynamo.createReleasesTable(), dynamo.endpoint), {
      SSM_DOCUMENT_PREFIX: 'canary-agent-dev-',
      SLACK_API_URL: slack.apiUrl(),
    });
    const ssm = mockClient(SSMClient);
    const cloudWatch = mockClient(CloudWatchClient);
    const eventBridge = mockClient(EventBridgeClient);
    const scheduler = mockClient(SchedulerClient);
    const elb = mockClient(ElasticLoadBalancingV2Client);
    const lambda = mockClient(LambdaClient);
    const alarms = { canary: ['canary-orders-api-5xx'], stable: [] };
    const mirrorConfig = configInput({ alarms });
    const blueGreenConfig = configInput({
      alarms,
      fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
      blueGreen: {
        listenerArn: BLUE_GREEN.listenerArn,
        blue: { ...BLUE_GREEN.blue, alarms: ['canary-orders-api-blue-5xx'] },
        green: { ...BLUE_GREEN.green, alarms: ['canary-orders-api-green-5xx'] },
      },
    });
    let serviceConfig = mirrorConfig;
    let commands = 0;
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    ssm
      .on(GetParameterCommand, { Name: `${STAGE_PATH}/services/orders-api` })
      .callsFake(async () => ({ Parameter: { Value: JSON.stringify(serviceConfig) } }));
    // The listener as ELB describes it: all traffic to one target group, which ModifyListener replaces.
    let live: string = BLUE_GREEN.blue.targetGroupArn;
    elb.on(DescribeListenersCommand).callsFake(async () => ({
      Listeners: [
        { ListenerArn: BLUE_GREEN.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: live }] },
      ],
    }));
    elb.on(ModifyListenerCommand).callsFake(async (input: { DefaultActions?: Action[] }) => {
      live = input.DefaultActions?.[0]?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn ?? live;
      return {};
    });
    ssm
      .on(GetParameterCommand, { Name: `${STAGE_PATH}/versions/orders-api` })
      .resolves({ Parameter: { Value: '1.4.1' } });
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: `${STAGE_PATH}/slack/signing-secret`, Value: SLACK_SECRET },
        { Name: `${STAGE_PATH}/slack/bot-token`, Value: 'xoxb-bench' },
      ],
    });
    ssm.on(SendCommandCommand).callsFake(async () => ({ Command: { CommandId: `cmd-${++commands}` } }));
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    scheduler.on(CreateScheduleCommand).resolves({});
    scheduler.on(DeleteScheduleCommand).resolves({});
    cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({
      MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({ AlarmName, StateValue: 'OK' })),
    }));

    const compose = await import('../handlers/compose');
    const handlers = {
      pipeline: (await import('../handlers/pipeline')).handler,
      ssmCommand: (await import('../handlers/ssm-command')).handler,
      timer: (await import('../handlers/timer')).handler,
      effects: (await import('../handlers/effects')).handler,
      slack: (await import('../handlers/slack')).handler,
    };
    const { store } = await compose.agent();
    const dynamoCounts = countDynamo(compose.sdkClients.dynamo);
    let invocations = 0;
    const invoke = async (name: keyof typeof handlers, event: unknown) => {
      invocations++;
      await handlers[name](event, lambdaContext(name));
    };
    const HOSTS = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'];
    const finish = async (document: string) => {
      const commandId = `cmd-${commands}`;
      for (const host of HOSTS) {
        await invoke(
          'ssmCommand',
          getTestEvent('aws.ssm/command-invocation-status-change', {
            id: `${commandId}-${host}`,
            detail: {
              'command-id': commandId,
              'document-name': `canary-agent-dev-${document}`,
              'instance-id': host,
            },
          }),
        );
      }
      await invoke(
        'ssmCommand',
        getTestEvent('aws.ssm/command-status-change', {
          id: `${commandId}-done`,
          detail: { 'command-id': commandId, 'document-name': `canary-agent-dev-${document}` },
        }),
      );
    };

    /** Promote, as Slack sends the click; the Slack function invokes the effects function with its hand-off. */
    const clickPromote = async (releaseId: string) => {
      const promote = new URLSearchParams({
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: APPROVER },
          trigger_id: `bench.promote.${releaseId}`,
          actions: [{ type: 'button', action_id: 'canary_promote', value: releaseId, action_ts: '1' }],
          response_url: `${slack.url()}/respond/${APPROVER}`,
        }),
      }).toString();
      await invoke('slack', {
        headers: signedHeaders(SLACK_SECRET, promote),
        body: promote,
        isBase64Encoded: false,
      });
      await invoke('effects', getTestEvent('canary-agent/effects-pending', { releaseId }));
    };
    const elapseWindow = async (releaseId: string) => {
      const run = (await store.load(releaseId))?.run;
      if (run?.kind !== 'validate') throw new Error(`${releaseId} is not in a validation window`);
      skipClockTo(run.windowEndsAt);
      await invoke('timer', getTestEvent('canary-agent/timer-elapsed', { releaseId, timerId: run.timerId }));
    };
    const mocks = [ssm, cloudWatch, eventBridge, scheduler, elb, lambda];
    /** The calls one release makes, from a clean count. */
    const measure = async (title: string, release: () => Promise<string>) => {
      for (const mock of mocks) mock.resetHistory();
      const dynamoBefore = { ...dynamoCounts };
      const [invocationsBefore, slackBefore] = [invocations, slack.calls().length];
      const releaseId = await release();
      const final = await store.load(releaseId);
      // A refused or stuck release would print a table of zeros: fail instead, naming the state it reached.
      if (final?.state !== 'succeeded') throw new Error(`${title}: ended ${final?.state ?? 'never started'}`);
      const aws = {
        'ssm:SendCommand': ssm.commandCalls(SendCommandCommand).length,
        'ssm:GetParameter': ssm.commandCalls(GetParameterCommand).length,
        'ssm:PutParameter': ssm.calls().filter((c) => c.args[0].constructor.name === 'PutParameterCommand')
          .length,
        'cloudwatch:DescribeAlarms': cloudWatch.commandCalls(DescribeAlarmsCommand).length,
        'events:PutEvents': eventBridge.commandCalls(PutEventsCommand).length,
        'lambda:Invoke (hand-off)': lambda.commandCalls(InvokeCommand).length,
        'scheduler:CreateSchedule': scheduler.commandCalls(CreateScheduleCommand).length,
        'scheduler:DeleteSchedule': scheduler.commandCalls(DeleteScheduleCommand).length,
        'elasticloadbalancing:DescribeListeners': elb.commandCalls(DescribeListenersCommand).length,
        'elasticloadbalancing:ModifyListener': elb.commandCalls(ModifyListenerCommand).length,
      };
      const dynamo = {
        requests: dynamoCounts.requests - dynamoBefore.requests,
        writeRequests: dynamoCounts.writeRequests - dynamoBefore.writeRequests,
        itemsWritten: dynamoCounts.itemsWritten - dynamoBefore.itemsWritten,
        wcu: dynamoCounts.wcu - dynamoBefore.wcu,
        rcu: dynamoCounts.rcu - dynamoBefore.rcu,
      };
      const slackCalls = new Map<string, number>();
      for (const { method } of slack.calls().slice(slackBefore))
        slackCalls.set(method, (slackCalls.get(method) ?? 0) + 1);
      printRelease(`${title} (${final?.state})`, aws, dynamo, invocations - invocationsBefore, slackCalls);
    };

    await measure(
      'one complete mirror release: 2 canary hosts, 2 stable hosts, approval, no alarm',
      async () => {
        await invoke('pipeline', getTestEvent('canary-agent/release-requested'));
        const releaseId = (await store.activeReleaseId('orders-api')) ?? '';
        await finish('deploy-canary');
        await finish('start-mirror');
        await elapseWindow(releaseId);
        await clickPromote(releaseId);
        await finish('stop-mirror');
        await finish('promote');
        await finish('remove-canary');
        return releaseId;
      },
    );

    serviceConfig = blueGreenConfig;
    await measure('one complete blue/green release: 2 hosts per colour, approval, no alarm', async () => {
      const requested = getTestEvent<{ detail: Record<string, unknown> }>('canary-agent/release-requested', {
        id: 'bench-blue-green',
        detail: { version: '1.4.3', strategy: 'blue-green' },
      });
      // Blue/green mirrors nothing, so a percent is refused (percent-without-mirror): the fixture's must go.
      delete requested.detail.percent;
      await invoke('pipeline', requested);
      const releaseId = (await store.activeReleaseId('orders-api')) ?? '';
      await finish('deploy-idle');
      await elapseWindow(releaseId);
      await clickPromote(releaseId);
      return releaseId;
    });
    for (const mock of mocks) mock.restore();
  } finally {
    process.env = saved;
    await slack.stop();
    await dynamo.stop();
  }
}

export default async function run(): Promise<void> {
  await bundlesAndColdStarts();
  await oneRelease();
}

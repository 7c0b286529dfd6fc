/** The AWS APIs one release calls, mocked with the shapes AWS documents, and the counts the bench prints. */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  GetMetricWidgetImageCommand,
} from '@aws-sdk/client-cloudwatch';
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
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { ServiceConfigInput } from '../domain/service-config';
import { BLUE_GREEN } from '../local/fixture-service-config';
import { STAGE_PATH } from '../local/lambda-env';
import { SLACK_SECRET } from './slack-requests';

export function mockAws(config: () => ServiceConfigInput) {
  const mocks = {
    ssm: mockClient(SSMClient),
    cloudWatch: mockClient(CloudWatchClient),
    eventBridge: mockClient(EventBridgeClient),
    scheduler: mockClient(SchedulerClient),
    elb: mockClient(ElasticLoadBalancingV2Client),
    lambda: mockClient(LambdaClient),
  };
  const { ssm, cloudWatch, eventBridge, scheduler, elb, lambda } = mocks;
  let commands = 0;
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  ssm
    .on(GetParameterCommand, { Name: `${STAGE_PATH}/services/orders-api` })
    .callsFake(async () => ({ Parameter: { Value: JSON.stringify(config()) } }));
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
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{}] });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  scheduler.on(CreateScheduleCommand).resolves({});
  scheduler.on(DeleteScheduleCommand).resolves({});
  cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({ AlarmName, StateValue: 'OK' })),
  }));
  cloudWatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => healthy(input));
  cloudWatch
    .on(GetMetricWidgetImageCommand)
    .resolves({ MetricWidgetImage: new Uint8Array([137, 80, 78, 71]) });
  return {
    mocks: Object.values(mocks),
    clients: mocks,
    /** The command id of the last SendCommand, as the SSM result events name it. */
    lastCommandId: () => `cmd-${commands}`,
    /** The calls one release made, since the mocks' history was reset. */
    calls: () => callCounts(mocks),
  };
}

/** What the bench prints per release: each API's calls, and the metrics CloudWatch charges for. */
function callCounts({
  ssm,
  cloudWatch,
  eventBridge,
  scheduler,
  elb,
  lambda,
}: ReturnType<typeof mockAws>['clients']) {
  return {
    'ssm:SendCommand': ssm.commandCalls(SendCommandCommand).length,
    'ssm:GetParameter': ssm.commandCalls(GetParameterCommand).length,
    'ssm:PutParameter': ssm.commandCalls(PutParameterCommand).length,
    'cloudwatch:DescribeAlarms': cloudWatch.commandCalls(DescribeAlarmsCommand).length,
    'cloudwatch:GetMetricData': cloudWatch.commandCalls(GetMetricDataCommand).length,
    'cloudwatch:GetMetricData (metrics requested)': cloudWatch
      .commandCalls(GetMetricDataCommand)
      .reduce((sum, call) => sum + (call.args[0].input.MetricDataQueries?.length ?? 0), 0),
    'cloudwatch:GetMetricWidgetImage': cloudWatch.commandCalls(GetMetricWidgetImageCommand).length,
    'cloudwatch:GetMetricWidgetImage (metrics requested)': cloudWatch
      .commandCalls(GetMetricWidgetImageCommand)
      .reduce((sum, call) => sum + widgetMetrics(call.args[0].input.MetricWidget), 0),
    'events:PutEvents': eventBridge.commandCalls(PutEventsCommand).length,
    'lambda:Invoke (hand-off)': lambda.commandCalls(InvokeCommand).length,
    'scheduler:CreateSchedule': scheduler.commandCalls(CreateScheduleCommand).length,
    'scheduler:DeleteSchedule': scheduler.commandCalls(DeleteScheduleCommand).length,
    'elasticloadbalancing:DescribeListeners': elb.commandCalls(DescribeListenersCommand).length,
    'elasticloadbalancing:ModifyListener': elb.commandCalls(ModifyListenerCommand).length,
  };
}

/** A canary as good as stable: a datapoint a minute for every query, 1,000 requests, 1 error, 200 ms. */
function healthy(input: GetMetricDataCommandInput) {
  const from = input.StartTime?.getTime() ?? 0;
  const to = input.EndTime?.getTime() ?? from;
  const minutes = Math.max(1, Math.floor((to - from) / 60_000));
  const value = (stat: string | undefined, metric: string | undefined) =>
    metric === 'RequestCount' ? 1000 : stat === 'Sum' ? 1 : 0.2;
  return {
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
      Id: q.Id,
      Label: q.Id,
      Timestamps: Array.from({ length: minutes }, (_, i) => new Date(from + i * 60_000)),
      Values: Array.from({ length: minutes }, () =>
        value(q.MetricStat?.Stat, q.MetricStat?.Metric?.MetricName),
      ),
      StatusCode: 'Complete' as const,
    })),
    Messages: [],
  };
}

/** CloudWatch charts a widget per metric it names (metric math only combines them). */
function widgetMetrics(widget: string | undefined): number {
  const metrics = (JSON.parse(widget ?? '{}') as { metrics?: unknown[][] }).metrics ?? [];
  return metrics.filter((row) => typeof row[0] === 'string').length;
}

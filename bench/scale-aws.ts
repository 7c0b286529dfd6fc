/**
 * The AWS APIs of the scale simulation, mocked at the SDK's transport (aws-sdk-client-mock), so the handlers make the
 * calls they make on AWS; every call is counted per simulated second, and the ones that start work elsewhere (a
 * command on hosts, a schedule, a hand-off) are passed to the simulation.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricWidgetImageCommand,
} from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  GetParametersCommand,
  ListCommandsCommand,
  ParameterNotFound,
  SendCommandCommand,
  type SendCommandCommandInput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { ServiceConfigInput } from '../domain/service-config';
import { STAGE_PATH } from '../local/lambda-env';
import type { Counter } from './scale-world';
import { SLACK_SECRET } from './slack-requests';

export interface ReleaseStateChange {
  readonly releaseId: string;
  readonly service: string;
  readonly state: string;
  readonly notice?: { readonly kind?: string; readonly alarmName?: string };
}

/** What the simulation does when the agent asks AWS to start something. */
export interface AwsHooks {
  config(service: string): ServiceConfigInput | undefined;
  alarmState(name: string): 'OK' | 'ALARM';
  send(input: SendCommandCommandInput): string;
  commandStatus(commandId: string): string | undefined;
  cancel(commandId: string): void;
  schedule(input: CreateScheduleCommandInput): void;
  unschedule(name: string): void;
  handOff(payload: string): void;
  released(change: ReleaseStateChange): void;
}

/** Mocks every client the handlers build and counts each call as `<service>:<Operation>`. */
export function mockScaleAws(counter: Counter, hooks: AwsHooks) {
  const mocks = {
    ssm: mockSsm(counter, hooks),
    cloudWatch: mockClient(CloudWatchClient),
    eventBridge: mockClient(EventBridgeClient),
    scheduler: mockClient(SchedulerClient),
    lambda: mockClient(LambdaClient),
  };
  const { cloudWatch, eventBridge, scheduler, lambda } = mocks;
  cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => {
    counter.add('cloudwatch:DescribeAlarms');
    const names = input.AlarmNames ?? [];
    return {
      MetricAlarms: names.map((AlarmName) => ({ AlarmName, StateValue: hooks.alarmState(AlarmName) })),
    };
  });
  cloudWatch.on(GetMetricDataCommand).callsFake(async () => {
    counter.add('cloudwatch:GetMetricData');
    return { MetricDataResults: [], Messages: [] };
  });
  cloudWatch.on(GetMetricWidgetImageCommand).callsFake(async () => {
    counter.add('cloudwatch:GetMetricWidgetImage');
    return { MetricWidgetImage: new Uint8Array([137, 80, 78, 71]) };
  });
  eventBridge.on(PutEventsCommand).callsFake(async (input: { Entries?: PutEventsRequestEntry[] }) => {
    counter.add('events:PutEvents');
    for (const entry of input.Entries ?? []) hooks.released(JSON.parse(entry.Detail ?? '{}'));
    return { FailedEntryCount: 0, Entries: (input.Entries ?? []).map(() => ({ EventId: 'e' })) };
  });
  scheduler.on(CreateScheduleCommand).callsFake(async (input: CreateScheduleCommandInput) => {
    counter.add('scheduler:CreateSchedule');
    hooks.schedule(input);
    return { ScheduleArn: `arn:schedule/${input.Name}` };
  });
  scheduler.on(DeleteScheduleCommand).callsFake(async (input: { Name?: string }) => {
    counter.add('scheduler:DeleteSchedule');
    hooks.unschedule(input.Name ?? '');
    return {};
  });
  lambda.on(InvokeCommand).callsFake(async (input: { Payload?: Uint8Array }) => {
    counter.add('lambda:Invoke (hand-off)');
    hooks.handOff(new TextDecoder().decode(input.Payload));
    return { StatusCode: 202 };
  });
  return {
    restore: () => {
      for (const mock of Object.values(mocks)) mock.restore();
    },
  };
}

function mockSsm(counter: Counter, hooks: AwsHooks) {
  const ssm = mockClient(SSMClient);
  const notFound = () => new ParameterNotFound({ message: 'not found', $metadata: {} });
  ssm.on(GetParameterCommand).callsFake(async (input: { Name?: string }) => {
    counter.add('ssm:GetParameter');
    const [, kind, service] = /\/(services|versions)\/([^/]+)$/.exec(input.Name ?? '') ?? [];
    const config = service ? hooks.config(service) : undefined;
    if (!config) throw notFound();
    return { Parameter: { Value: kind === 'services' ? JSON.stringify(config) : '1.4.1' } };
  });
  ssm.on(GetParametersCommand).callsFake(async () => {
    counter.add('ssm:GetParameters');
    return {
      Parameters: [
        { Name: `${STAGE_PATH}/slack/signing-secret`, Value: SLACK_SECRET },
        { Name: `${STAGE_PATH}/slack/bot-token`, Value: 'xoxb-bench' },
      ],
    };
  });
  ssm.on(SendCommandCommand).callsFake(async (input: SendCommandCommandInput) => {
    counter.add('ssm:SendCommand');
    // SendCommand takes at most 50 instance ids (its API reference): more is a ValidationException on AWS.
    if ((input.InstanceIds?.length ?? 0) > 50) {
      counter.add('ssm:SendCommand over 50 instance ids');
      throw new Error(`SendCommand with ${input.InstanceIds?.length} instance ids (at most 50)`);
    }
    return { Command: { CommandId: hooks.send(input) } };
  });
  ssm.on(ListCommandsCommand).callsFake(async (input: { CommandId?: string }) => {
    counter.add('ssm:ListCommands');
    const status = hooks.commandStatus(input.CommandId ?? '');
    return { Commands: status ? [{ CommandId: input.CommandId, Status: status }] : [] };
  });
  ssm.on(GetCommandInvocationCommand).callsFake(async () => {
    counter.add('ssm:GetCommandInvocation');
    return { StandardOutputContent: 'pulling image\n', StandardErrorContent: 'no space left on device\n' };
  });
  ssm.on(CancelCommandCommand).callsFake(async (input: { CommandId?: string }) => {
    counter.add('ssm:CancelCommand');
    hooks.cancel(input.CommandId ?? '');
    return {};
  });
  return ssm;
}

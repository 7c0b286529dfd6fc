import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  InvalidCommandId,
  InvocationDoesNotExist,
  ParameterNotFound,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchAlarmCatalog, cloudWatchAlarmReader } from '../../adapters/cloudwatch-alarm-reader';
import { eventBridgePublisher, PublishFailedError } from '../../adapters/eventbridge-publisher';
import { atExpression, scheduleName, schedulerTimers } from '../../adapters/scheduler-timers';
import { ssmFleetOperator } from '../../adapters/ssm-fleet-operator';
import { ssmServiceConfigs, ssmVersionRegistry } from '../../adapters/ssm-parameters';
import { configInput } from '../../local/fixture-service-config';
import { holdToContract } from '../support/aws-contract';
import { newRelease } from '../support/releases';
import { smithyModel } from '../support/smithy-model';

const COMMAND = '0b5a5a5e-8a5e-4d5f-9d53-4b1f6b3c2e10';
const INSTANCE = 'i-0123456789abcdef0';

/** AWS's Smithy model of SSM: the requests sent and the answers faked here must fit it. */
const ssmModel = smithyModel('ssm-2014-11-06.json');

const ssm = mockClient(SSMClient);
const cloudWatch = mockClient(CloudWatchClient);
const eventBridge = mockClient(EventBridgeClient);
const scheduler = mockClient(SchedulerClient);
holdToContract('ssm', ssm);
holdToContract('cloudWatch', cloudWatch);
holdToContract('eventBridge', eventBridge);
holdToContract('scheduler', scheduler);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => {
  ssm.restore();
  cloudWatch.restore();
  eventBridge.restore();
  scheduler.restore();
});
beforeEach(() => {
  for (const mock of [ssm, cloudWatch, eventBridge, scheduler]) mock.reset();
});

const meta = { $metadata: {} };

describe('ssmFleetOperator', () => {
  const fleet = ssmFleetOperator(new SSMClient({}), {
    documentPrefix: 'canary-agent-prod-',
    maxConcurrency: '25',
    maxErrors: '1',
    outputLogGroup: '/ops',
  });

  it('targets every fleet tag and wraps each parameter value in an array', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND } });
    const { commandId } = await fleet.run('orders-api-r1', {
      kind: 'runHostOperation',
      stepId: 'orders-api-r1.5',
      operation: 'restoreStable',
      fleet: 'stable',
      targets: { 'canary-agent:fleet': 'orders-api-stable', env: 'prod' },
      parameters: { Version: '1.4.1', Service: 'orders-api' },
      timeoutSeconds: 300,
    });
    expect(commandId).toBe(COMMAND);
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-prod-restore-stable',
      Targets: [
        { Key: 'tag:canary-agent:fleet', Values: ['orders-api-stable'] },
        { Key: 'tag:env', Values: ['prod'] },
      ],
      Parameters: { Version: ['1.4.1'], Service: ['orders-api'] },
      MaxConcurrency: '25',
      MaxErrors: '1',
      TimeoutSeconds: 300,
    });
  });

  it('sends a drained batch by instance id, its rate control as a share, and a comment cut to SSM’s 100 characters', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND } });
    const releaseId = `orders-api-${'x'.repeat(90)}`;
    const instanceIds = Array.from({ length: 50 }, (_, i) => `i-0123456789abcd${String(i).padStart(3, '0')}`);
    await fleet.run(releaseId, {
      kind: 'runHostOperation',
      stepId: `${releaseId}.7.2`,
      operation: 'promote',
      fleet: 'stable',
      targets: { 'canary-agent:fleet': 'orders-api-stable' },
      instanceIds,
      rateControl: { maxConcurrency: '10%', maxErrors: '5%' },
      parameters: { Version: '1.4.2' },
      timeoutSeconds: 600,
    });
    const input = ssm.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(input?.InstanceIds).toEqual(instanceIds);
    expect(input?.Targets).toBeUndefined();
    expect(input).toMatchObject({ MaxConcurrency: '10%', MaxErrors: '5%' });
    expect(input?.Comment).toHaveLength(100);
    // The contract check after this test holds all of it to SSM's model (InstanceIdList at most 50, the patterns).
  });

  it('treats cancelling a command SSM no longer knows as done, and rethrows anything else', async () => {
    ssm
      .on(CancelCommandCommand)
      .rejectsOnce(new InvalidCommandId({ ...meta, message: 'invalid' }))
      .rejectsOnce(new Error('boom'));
    await expect(fleet.cancel(COMMAND)).resolves.toBeUndefined();
    await expect(fleet.cancel('7f0c2d4e-5b1a-4c3d-8e9f-0a1b2c3d4e5f')).rejects.toThrow('boom');
  });

  it('reads why a host failed from its invocation: the end of its output, standard error last', async () => {
    const answer = {
      CommandId: COMMAND,
      InstanceId: INSTANCE,
      Status: 'Failed',
      StandardOutputContent: `${'pulling image\n'.repeat(200)}{"ok":false,"message":"health check failed"}\n`,
      StandardErrorContent: 'failed: registry/orders-api:1.4.3 failed its health check /healthz\n',
    } as const;
    expect(ssmModel.answerMisfits('GetCommandInvocation', answer)).toEqual([]);
    ssm.on(GetCommandInvocationCommand).resolves(answer);

    const output = await fleet.output(COMMAND, INSTANCE);

    expect(ssmModel.requestMisfits(ssm.calls())).toEqual([]);
    expect(ssm.commandCalls(GetCommandInvocationCommand)[0]?.args[0].input).toEqual({
      CommandId: COMMAND,
      InstanceId: INSTANCE,
    });
    expect(output).toMatch(/^…/);
    expect(output).toMatch(
      /"health check failed"}\nfailed: registry\/orders-api:1\.4\.3 failed its health check \/healthz$/,
    );
    expect(output?.length).toBe(1001);
  });

  it('reads no output for an invocation SSM no longer holds, and rethrows anything else', async () => {
    ssm
      .on(GetCommandInvocationCommand)
      .rejectsOnce(new InvocationDoesNotExist({ ...meta, message: 'expired' }))
      .rejectsOnce(new Error('ThrottlingException'));
    await expect(fleet.output(COMMAND, INSTANCE)).resolves.toBeUndefined();
    await expect(fleet.output(COMMAND, INSTANCE)).rejects.toThrow('Throttling');
  });
});

describe('cloudWatchAlarmReader', () => {
  const reader = cloudWatchAlarmReader(new CloudWatchClient({}));

  it('asks for at most 100 names per call, follows NextToken, and reads a missing alarm as not OK', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `canary-a${i}`);
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [{ AlarmName: 'canary-a0', StateValue: 'ALARM', StateReason: 'high' }],
        NextToken: 't',
      })
      .resolvesOnce({ CompositeAlarms: [{ AlarmName: 'canary-a1', StateValue: 'OK', StateReason: 'fine' }] })
      .resolves({});

    const readings = await reader.read([...names, 'canary-a0']);

    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 3);
    expect(cloudWatch).toHaveReceivedNthCommandWith(DescribeAlarmsCommand, 2, { NextToken: 't' });
    expect(cloudWatch).toHaveReceivedNthCommandWith(DescribeAlarmsCommand, 3, {
      AlarmNames: names.slice(100),
    });
    expect(readings).toHaveLength(150);
    expect(readings[0]).toEqual({ name: 'canary-a0', state: 'ALARM', reason: 'high' });
    expect(readings[1]).toEqual({ name: 'canary-a1', state: 'OK', reason: 'fine' });
    expect(readings[2]).toMatchObject({ name: 'canary-a2', state: 'INSUFFICIENT_DATA' });
  });

  it('names the alarms DescribeAlarms does not return, metric and composite alike, in one call', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'orders-5xx', StateValue: 'OK' }],
      CompositeAlarms: [{ AlarmName: 'orders-health', StateValue: 'INSUFFICIENT_DATA' }],
    });

    const missing = await cloudWatchAlarmCatalog(new CloudWatchClient({})).missing([
      'orders-5xx',
      'orders-health',
      'orders-5xxx',
      'orders-5xx',
    ]);

    expect(missing).toEqual(['orders-5xxx']);
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['orders-5xx', 'orders-health', 'orders-5xxx'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });
});

describe('eventBridgePublisher', () => {
  const release = newRelease({ id: 'orders-api-r1' }).release;
  const notice = { notice: { kind: 'approved', by: 'U0ANA' }, severity: 'info' } as const;

  it('sends failed entries again until EventBridge accepts them', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const publisher = eventBridgePublisher(new EventBridgeClient({}), {
      busName: 'bus',
      pause: async () => {},
    });

    await publisher.releaseChanged(release, notice);

    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    const detail = JSON.parse(
      eventBridge.commandCalls(PutEventsCommand)[1]?.args[0].input.Entries?.[0]?.Detail ?? '{}',
    );
    expect(detail).toMatchObject({
      releaseId: 'orders-api-r1',
      service: 'orders-api',
      notice: { kind: 'approved', by: 'U0ANA' },
      headline: 'Approved by U0ANA.',
    });
  });

  it('publishes state changes, not progress notices', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const publisher = eventBridgePublisher(new EventBridgeClient({}), { busName: 'bus' });

    await publisher.releaseChanged(release, {
      notice: {
        kind: 'hostResult',
        operation: 'deployCanary',
        hostId: 'i-1',
        status: 'success',
        leadsTo: 'none',
      },
      severity: 'progress',
    });

    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('throws when entries keep failing, so the effect stays in the outbox', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const publisher = eventBridgePublisher(new EventBridgeClient({}), {
      busName: 'bus',
      pause: async () => {},
    });

    await expect(publisher.releaseChanged(release, notice)).rejects.toThrow(PublishFailedError);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
  });
});

describe('schedulerTimers', () => {
  const timers = schedulerTimers(new SchedulerClient({}), {
    groupName: 'g',
    functionArn: 'arn:fn',
    roleArn: 'arn:aws:iam::123456789012:role/canary-agent-scheduler',
    deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:canary-agent-dead-letters',
    now: () => '2026-11-22T14:00:00.000Z',
  });

  it('treats an existing schedule as already set and a missing one as already cancelled', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ ...meta, message: 'exists', Message: 'exists' }));
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ ...meta, message: 'gone', Message: 'gone' }));

    await expect(timers.set('r1', 'r1.3.window', '2026-11-22T14:15:00.000Z')).resolves.toBeUndefined();
    await expect(timers.cancel('r1.3.window')).resolves.toBeUndefined();
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, {
      Name: 'r1.3.window',
      GroupName: 'g',
    });
  });

  it('never fires early: rounds up to the second and moves a past instant just ahead of now', () => {
    expect(atExpression('2026-11-22T14:15:00.200Z', '2026-11-22T14:00:00.000Z')).toBe(
      'at(2026-11-22T14:15:01)',
    );
    expect(atExpression('2026-11-22T13:00:00.000Z', '2026-11-22T14:00:00.000Z')).toBe(
      'at(2026-11-22T14:00:01)',
    );
  });

  it('hashes timer ids that do not fit a schedule name, the same way every time', () => {
    const long = `${'orders-api-with-a-very-long-name-indeed'}-20261122140000-abcdef12.12.window`;
    expect(scheduleName(long)).toMatch(/^t-[0-9a-f]{40}$/);
    expect(scheduleName(long)).toBe(scheduleName(long));
    expect(scheduleName('orders-api-r1.3.window')).toBe('orders-api-r1.3.window');
  });
});

describe('SSM Parameter Store configs and versions', () => {
  const client = new SSMClient({});
  const configs = ssmServiceConfigs(client, '/canary-agent/prod');
  const versions = ssmVersionRegistry(client, '/canary-agent/prod');

  it('parses a stored configuration strictly and names a misspelt field', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/canary-agent/prod/services/orders-api' })
      .resolves({ Parameter: { Value: JSON.stringify({ ...configInput(), approverz: [] }) } });

    const result = await configs.get('orders-api');

    expect(result).toEqual({ ok: false, errors: [expect.stringContaining('approverz')] });
  });

  it('reports JSON that does not parse, and returns null for an unknown service', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/canary-agent/prod/services/orders-api' })
      .resolves({ Parameter: { Value: '{"service":' } })
      .on(GetParameterCommand, { Name: '/canary-agent/prod/services/unknown-api' })
      .rejects(new ParameterNotFound({ ...meta, message: 'not found' }));

    expect(await configs.get('orders-api')).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/not valid JSON/)],
    });
    expect(await configs.get('unknown-api')).toBeNull();
    // Stored, even unparseable, is configured; only a missing parameter is not.
    expect(await configs.exists('orders-api')).toBe(true);
    expect(await configs.exists('unknown-api')).toBe(false);
  });

  it('never looks up a name that is not a service name', async () => {
    expect(await configs.get('../slack/bot-token')).toBeNull();
    expect(await configs.exists('../slack/bot-token')).toBe(false);
    expect(await versions.current('../slack/bot-token')).toBeNull();
    expect(ssm).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('records the current version as a new String parameter version (the deploy history)', async () => {
    await versions.record('orders-api', '1.4.2');
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/canary-agent/prod/versions/orders-api',
      Value: '1.4.2',
      Type: 'String',
      Overwrite: true,
    });
  });
});

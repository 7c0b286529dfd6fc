import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchAlarmCatalog, cloudWatchAlarmReader } from '../../adapters/cloudwatch-alarm-reader';
import { eventBridgePublisher, PublishFailedError } from '../../adapters/eventbridge-publisher';
import { atExpression, scheduleName, schedulerTimers } from '../../adapters/scheduler-timers';
import { holdToContract } from '../support/aws-contract';
import { newRelease } from '../support/releases';

/* The CloudWatch, EventBridge and Scheduler adapters; the SSM ones are in ssm-adapters.test.ts. */

const cloudWatch = mockClient(CloudWatchClient);
const eventBridge = mockClient(EventBridgeClient);
const scheduler = mockClient(SchedulerClient);
holdToContract('cloudWatch', cloudWatch);
holdToContract('eventBridge', eventBridge);
holdToContract('scheduler', scheduler);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => {
  cloudWatch.restore();
  eventBridge.restore();
  scheduler.restore();
});
beforeEach(() => {
  for (const mock of [cloudWatch, eventBridge, scheduler]) mock.reset();
});

const meta = { $metadata: {} };

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

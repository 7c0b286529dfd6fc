import { createHash } from 'node:crypto';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { Timers } from '../domain/ports';
import type { Instant } from '../domain/types';
import { timerElapsed } from './internal-events';

export interface SchedulerTimerOptions {
  readonly groupName: string;
  /** The `timer` function's ARN: schedules invoke it directly, never through a bus a pipeline may write to. */
  readonly functionArn: string;
  /** The role Scheduler assumes, which may only invoke that function. */
  readonly roleArn: string;
  readonly deadLetterArn: string;
  readonly now: () => Instant;
}

/**
 * Schedule names allow [0-9a-zA-Z-_.] and 64 characters. Timer ids usually fit; longer ones are hashed, the
 * same way on set and on cancel.
 */
export function scheduleName(timerId: string): string {
  if (/^[0-9A-Za-z_.-]{1,64}$/.test(timerId)) return timerId;
  return `t-${createHash('sha256').update(timerId).digest('hex').slice(0, 40)}`;
}

/** `at()` takes whole seconds in the schedule's time zone (UTC here); a timer never fires early. */
export function atExpression(at: Instant, now: Instant): string {
  const target = Math.max(Date.parse(at), Date.parse(now) + 1000);
  const seconds = Math.ceil(target / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}

/**
 * One-time EventBridge Scheduler schedules that invoke the `timer` function (asynchronously, with a
 * `TimerElapsed` payload) and delete themselves after running. Setting a timer twice is a no-op (ConflictException); cancelling a timer that
 * already ran or never existed is fine (ResourceNotFoundException).
 */
export function schedulerTimers(client: SchedulerClient, options: SchedulerTimerOptions): Timers {
  return {
    async set(releaseId, timerId, at) {
      try {
        await client.send(
          new CreateScheduleCommand({
            Name: scheduleName(timerId),
            GroupName: options.groupName,
            ScheduleExpression: atExpression(at, options.now()),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Description: `canary-agent timer ${timerId}`.slice(0, 512),
            Target: {
              Arn: options.functionArn,
              RoleArn: options.roleArn,
              Input: JSON.stringify(timerElapsed(releaseId, timerId)),
              RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
              DeadLetterConfig: { Arn: options.deadLetterArn },
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConflictException) return;
        throw error;
      }
    },
    async cancel(timerId) {
      try {
        await client.send(
          new DeleteScheduleCommand({ Name: scheduleName(timerId), GroupName: options.groupName }),
        );
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return;
        throw error;
      }
    },
  };
}

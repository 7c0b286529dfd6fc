import * as z from 'zod';
import { EFFECTS_SOURCE, TIMER_EVENT_SOURCE } from '../adapters/internal-events';
import { isServiceName, isVersion, patterns } from '../domain/patterns';
import { checkListEntry } from '../domain/routing-list-entries';
import { ROUTING_LISTS } from '../domain/routing-lists';
import { eventBridgeEvent, instant } from './parse-event';

/** "CloudWatch Alarm State Change" (documented shape: CloudWatch User Guide, "Alarm events and EventBridge"). */
export const alarmEvent = eventBridgeEvent(
  ['CloudWatch Alarm State Change'],
  z.object({
    alarmName: z.string().min(1),
    state: z.object({
      value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
      reason: z.string().default(''),
      timestamp: instant,
    }),
  }),
);

/** Both Run Command events (Systems Manager User Guide, "EventBridge event examples for Systems Manager"). */
export const ssmCommandEvent = eventBridgeEvent(
  ['EC2 Command Status-change Notification', 'EC2 Command Invocation Status-change Notification'],
  z.object({
    'command-id': z.string().min(1),
    'document-name': z.string().min(1),
    'instance-id': z.string().optional(),
    status: z.string().min(1),
  }),
);

/** "CloudFormation Stack Status Change" (CloudFormation User Guide, "Stack Status Change event detail"). */
export const stackStatusEvent = eventBridgeEvent(
  ['CloudFormation Stack Status Change'],
  z.object({
    'stack-id': z
      .string()
      .regex(
        /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[A-Za-z0-9-]+$/,
        'a stack ARN',
      ),
    'status-details': z.object({ status: z.string().min(1), 'status-reason': z.string().optional() }),
  }),
);

const service = z.string().refine(isServiceName, 'a service name such as "orders-api"');
const version = z.string().refine(isVersion, 'a version (Docker tag) such as "1.4.2"');
const pipeline = z.string().min(1).max(100);

const envelope = { id: z.string().min(1), source: z.string().min(1), time: z.string().min(1) };

/** The pipeline events a CI system puts on the agent's bus (schema in README, "Pipeline events"). */
export const pipelineEvent = z.discriminatedUnion('detail-type', [
  z.object({
    ...envelope,
    'detail-type': z.literal('Release Requested'),
    detail: z
      .object({
        service,
        version,
        pipeline,
        percent: z.number().positive().max(100).optional(),
        windowSeconds: z.number().int().positive().optional(),
        /** Weighted steps instead of mirroring, e.g. [5, 25, 50, 100]. */
        steps: z.array(z.number().min(0).max(100)).min(1).max(10).optional(),
        /**
         * `blue-green` instead of mirroring, for a service with a blue and a green fleet; `mirror-then-steps`: a
         * mirrored window first, then `steps` (or the service's own).
         */
        strategy: z.enum(['blue-green', 'mirror-then-steps']).optional(),
      })
      .refine((d) => d.steps === undefined || d.strategy !== 'blue-green', {
        message: 'give steps or strategy blue-green, not both',
      }),
  }),
  z.object({
    ...envelope,
    'detail-type': z.literal('Canary Stack Ready'),
    detail: z.object({ service, version, pipeline }),
  }),
  z.object({
    ...envelope,
    'detail-type': z.literal('Canary Stack Failed'),
    detail: z.object({ service, version, pipeline, reason: z.string().min(1).max(1000) }),
  }),
]);

/**
 * What the agent's one-time schedules hand the `timer` function: Scheduler invokes it directly with the target's
 * `Input` as the event (adapters/scheduler-timers.ts). Any other source is refused (docs/security.md, "Who may cause what").
 */
export const timerEvent = z.object({
  source: z.literal(TIMER_EVENT_SOURCE),
  releaseId: z.string().min(1).max(200),
  timerId: z.string().min(1).max(300),
});

/**
 * What the Slack function hands the `effects` function by direct invocation (adapters/lambda-hand-off.ts): a
 * release whose outbox waits, or a change of a live routing list, each value held to the patterns again.
 */
export const effectsEvent = z.union([
  z.strictObject({ source: z.literal(EFFECTS_SOURCE), releaseId: z.string().min(1).max(200) }),
  z.strictObject({
    source: z.literal(EFFECTS_SOURCE),
    listChange: z.strictObject({
      service: z.string().refine(isServiceName, 'a service name'),
      list: z.enum(ROUTING_LISTS),
      action: z.enum(['add', 'remove']),
      entry: z.string().refine((entry) => checkListEntry(entry).ok, 'a list entry'),
      by: z.string().regex(patterns.slackUserId),
    }),
  }),
]);

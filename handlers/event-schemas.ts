import * as z from 'zod';
import { EFFECTS_SOURCE, TIMER_EVENT_SOURCE } from '../adapters/internal-events';
import { buildGroupsSchema, MAX_GROUP_MEMBERS } from '../domain/group';
import { isServiceName, isVersion, patterns } from '../domain/patterns';
import { MAX_STEPS } from '../domain/release-request';
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

/** One service's release: the form before groups, unchanged. */
const serviceRelease = z
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
  });

const ONLY_STEPS =
  'a group release routes by the tag in steps, so it takes no percent or strategy: give `steps` (the entry’s shares) or leave them out';
/** What a group takes besides its members: strict, so a mirror share or a strategy is refused, not ignored. */
const groupSettings = {
  pipeline,
  windowSeconds: z.number().int().positive().optional(),
  /** The entry's share of users at each step, rising, each above 0, e.g. [5, 25, 100]. */
  steps: z.array(z.number().gt(0).max(100)).min(1).max(MAX_STEPS).optional(),
  percent: z.never(ONLY_STEPS).optional(),
  strategy: z.never(ONLY_STEPS).optional(),
};

/** A group configured on its entry service, by name; `versions` replaces the group's own for the members named. */
const namedGroupRelease = z.strictObject({
  // The rule a service's configuration holds its groups' names to.
  group: buildGroupsSchema().element.shape.name,
  // Keys checked one by one: a record's key schema reports only "Invalid key in record".
  versions: z
    .record(z.string(), version)
    .superRefine((versions, ctx) => {
      for (const key of Object.keys(versions).filter((name) => !isServiceName(name))) {
        ctx.addIssue({ code: 'custom', message: 'a service name such as "orders-api"', path: [key] });
      }
    })
    .optional(),
  ...groupSettings,
});

/** An ad hoc group: its members in call order, the entry first. */
const adHocGroupRelease = z.strictObject({
  members: z
    .array(z.strictObject({ service, version }))
    .min(2, 'a group release needs at least two members')
    .max(MAX_GROUP_MEMBERS)
    .refine((list) => new Set(list.map((m) => m.service)).size === list.length, 'a service appears twice'),
  ...groupSettings,
});

/**
 * "Release Requested": one service (`service`), a configured group (`group`) or an ad hoc one (`members`). The
 * shape is picked by which of those keys the detail has, so that a mistake is reported against that shape rather
 * than as "matches none of three".
 */
const releaseRequestedDetail = z.unknown().transform((detail, ctx) => {
  const keys = ['service', 'group', 'members'].filter((key) => isObject(detail) && key in detail);
  if (keys.length > 1) {
    ctx.addIssue({
      code: 'custom',
      message: `give one of service, group or members, not ${keys.join(' and ')}`,
    });
    return z.NEVER;
  }
  const schema =
    keys[0] === 'group' ? namedGroupRelease : keys[0] === 'members' ? adHocGroupRelease : serviceRelease;
  const parsed = schema.safeParse(detail);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
  return z.NEVER;
});

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The pipeline events a CI system puts on the agent's bus (schema in README, "Pipeline events"). */
export const pipelineEvent = z.discriminatedUnion('detail-type', [
  z.object({
    ...envelope,
    'detail-type': z.literal('Release Requested'),
    detail: releaseRequestedDetail,
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

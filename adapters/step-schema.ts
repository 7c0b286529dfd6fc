import * as z from 'zod';
import { HOST_OPERATIONS, RELEASE_STATES } from '../domain/types';
import { canaryStackStep } from './canary-stack-schema';
import { hookStep } from './hook-schema';
import { trafficDrainSchema } from './rollout-schema';

/* The stored shapes of a plan's steps (domain/types.ts `Step`), shared by releases and the outbox's effects. */

const stringMap = z.record(z.string(), z.string());
const releaseState = z.enum(RELEASE_STATES);
const operation = z.enum(HOST_OPERATIONS);
const fleet = z.enum(['stable', 'canary', 'blue', 'green']);

const rateControl = z.object({ maxConcurrency: z.string(), maxErrors: z.string() });

export const hostOperationStep = z.object({
  kind: z.literal('hostOperation'),
  state: releaseState,
  operation,
  fleet,
  targets: stringMap,
  parameters: stringMap,
  timeoutSeconds: z.number(),
  rateControl: rateControl.optional(),
  onFailure: z.enum(['rollback', 'warn']),
  drain: trafficDrainSchema.optional(),
  document: z.string().optional(),
  member: z.string().optional(),
  settles: z.string().optional(),
});

export const listenerSwitchStep = z.object({
  kind: z.literal('switchListener'),
  state: z.enum(['switchingListener', 'rollingBack']),
  direction: z.enum(['forward', 'back']),
  listenerArn: z.string(),
  ruleArn: z.string().optional(),
  fromTargetGroupArn: z.string(),
  toTargetGroupArn: z.string(),
  timeoutSeconds: z.number(),
});

export const undoStep = z.discriminatedUnion('kind', [
  hostOperationStep,
  listenerSwitchStep,
  canaryStackStep,
]);

export const awaitCanaryStackStep = z.object({
  kind: z.literal('awaitCanaryStack'),
  state: z.literal('awaitingCanaryStack'),
  timeoutSeconds: z.number(),
});
export const validateStep = z.object({
  kind: z.literal('validate'),
  state: z.enum(['verifying', 'baking']),
  windowSeconds: z.number(),
  alarms: z.array(z.string()),
  settles: z.string().optional(),
});
export const approvalStep = z.object({
  kind: z.literal('approval'),
  state: z.literal('awaitingApproval'),
  timeoutSeconds: z.number(),
});

export const step = z.discriminatedUnion('kind', [
  hostOperationStep,
  listenerSwitchStep,
  canaryStackStep,
  hookStep,
  awaitCanaryStackStep,
  validateStep,
  approvalStep,
]);

import * as z from 'zod';
import { HOST_OPERATIONS } from '../domain/types';

/* The stored shapes of a drained rollout (domain/rollout.ts): the step's target groups, the run's progress. */

const operation = z.enum(HOST_OPERATIONS);
const names = z.array(z.string());
const consequence = z.enum(['none', 'rollingBack', 'rollbackStepFailed']);
const phase = z.enum(['draining', 'admitting']);

export const trafficDrainSchema = z.object({
  targetGroupArns: names,
  batchSize: z.string(),
  drainTimeoutSeconds: z.number(),
  healthyTimeoutSeconds: z.number(),
});

export const rolloutSchema = z.object({
  batches: z.array(names),
  batch: z.number().int(),
  phase: z.enum(['surveying', 'draining', 'swapping', 'admitting']),
  attempt: z.number().int(),
  checkAt: z.string().optional(),
});

export const gateTargetsEffect = z.object({
  kind: z.literal('gateTargets'),
  stepId: z.string(),
  gateId: z.string(),
  action: z.enum(['survey', 'drain', 'admit']),
  attempt: z.number().int(),
  targetGroupArns: names,
  instanceIds: names,
});

const batchPlace = { operation, batch: z.number().int(), batches: z.number().int() };

export const rolloutNotices = [
  z.object({ kind: z.literal('rolloutWithoutTargets'), operation }),
  z.object({ kind: z.literal('batchDraining'), ...batchPlace, hostIds: names }),
  z.object({ kind: z.literal('batchDrained'), ...batchPlace }),
  z.object({ kind: z.literal('batchAdmitting'), ...batchPlace, hostIds: names, leftOut: names }),
  z.object({ kind: z.literal('batchAdmitted'), ...batchPlace }),
  z.object({
    kind: z.literal('targetsSettling'),
    phase,
    targets: z.array(z.object({ instanceId: z.string(), state: z.string(), reason: z.string().optional() })),
    checkAgainInSeconds: z.number(),
  }),
  z.object({ kind: z.literal('targetsChecking'), phase }),
  z.object({
    kind: z.literal('lastHostsServing'),
    ...batchPlace,
    hostIds: names,
    out: names,
    leadsTo: consequence,
  }),
  z.object({ kind: z.literal('targetGateRefused'), reason: z.string(), leadsTo: consequence }),
] as const;

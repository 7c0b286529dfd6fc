import * as z from 'zod';

/* The stored shapes of the temporary canary stack's step, run, effects and notices (domain/canary-stack.ts). */

const stringMap = z.record(z.string(), z.string());

export const canaryStackStep = z.object({
  kind: z.literal('canaryStack'),
  state: z.enum(['creatingCanaryStack', 'cleaningUp', 'rollingBack']),
  action: z.enum(['create', 'delete']),
  stackName: z.string(),
  templateUrl: z.string().optional(),
  parameters: stringMap,
  timeoutSeconds: z.number(),
});

export const canaryStackRun = {
  kind: z.literal('canaryStack'),
  step: canaryStackStep,
  cancelRequested: z.boolean().optional(),
};

/** What the release keeps of its stack once created. */
export const canaryStackRecord = z.object({
  stackName: z.string(),
  host: z.string(),
  targetGroupArn: z.string().optional(),
  alarmNames: z.array(z.string()),
});

export const canaryStackEffects = [
  z.object({
    kind: z.literal('createCanaryStack'),
    stepId: z.string(),
    stackName: z.string(),
    templateUrl: z.string(),
    parameters: stringMap,
    timeoutMinutes: z.number(),
  }),
  z.object({ kind: z.literal('deleteCanaryStack'), stepId: z.string(), stackName: z.string() }),
] as const;

const consequence = z.enum(['none', 'rollingBack', 'rollbackStepFailed']);

export const canaryStackNotices = [
  z.object({
    kind: z.literal('canaryStackCreated'),
    stackName: z.string(),
    host: z.string(),
    alarmNames: z.array(z.string()),
  }),
  z.object({
    kind: z.literal('canaryStackCreateFailed'),
    stackName: z.string(),
    reason: z.string(),
    leadsTo: consequence,
  }),
  z.object({ kind: z.literal('canaryStackDeleted'), stackName: z.string() }),
  z.object({ kind: z.literal('canaryStackDeleteFailed'), stackName: z.string(), reason: z.string() }),
] as const;

import * as z from 'zod';
import { HOOK_POINTS } from '../domain/hooks';

/* The stored shapes of a hook's step, run, effect, notices and rollback reason (domain/hooks.ts). */

const consequence = z.enum(['none', 'rollingBack', 'rollbackStepFailed']);
const target = z.union([z.object({ lambda: z.string() }), z.object({ url: z.string() })]);

export const hookStep = z.object({
  kind: z.literal('hook'),
  state: z.literal('runningHook'),
  name: z.string(),
  point: z.enum(HOOK_POINTS),
  target,
  timeoutSeconds: z.number(),
});

export const hookRun = { kind: z.literal('hook'), step: hookStep };

export const hookEffect = z.object({
  kind: z.literal('callHook'),
  stepId: z.string(),
  releaseId: z.string(),
  name: z.string(),
  point: z.enum(HOOK_POINTS),
  target,
  timeoutSeconds: z.number(),
});

export const hookNotices = [
  z.object({ kind: z.literal('hookPassed'), name: z.string() }),
  z.object({ kind: z.literal('hookFailed'), name: z.string(), output: z.string(), leadsTo: consequence }),
] as const;

export const hookFailedReason = z.object({
  kind: z.literal('hookFailed'),
  name: z.string(),
  output: z.string(),
});

import * as z from 'zod';
import type { PendingEffect } from '../domain/ports';
import type { Effect } from '../domain/types';
import { analysisEffects } from './analysis-schema';
import { canaryStackEffects } from './canary-stack-schema';
import { hookEffect } from './hook-schema';
import { noticeSchema, upgradeLegacyNotify } from './notice-schema';
import { gateTargetsEffect } from './rollout-schema';
import { hostOperationStep } from './step-schema';

/* The stored shape of an outbox effect: what a release asked for and has not had run yet (domain/events.ts). */

const instant = z.string();

const effect = z.discriminatedUnion('kind', [
  hostOperationStep.omit({ kind: true, state: true, onFailure: true, drain: true }).extend({
    kind: z.literal('runHostOperation'),
    stepId: z.string(),
    instanceIds: z.array(z.string()).optional(),
  }),
  gateTargetsEffect,
  z.object({ kind: z.literal('cancelHostOperation'), stepId: z.string(), commandId: z.string() }),
  z.object({ kind: z.literal('setTimer'), timerId: z.string(), at: instant }),
  z.object({ kind: z.literal('cancelTimer'), timerId: z.string() }),
  z.object({ kind: z.literal('checkAlarms'), checkId: z.string(), alarmNames: z.array(z.string()) }),
  z.object({
    kind: z.literal('notify'),
    notice: noticeSchema,
    severity: z.enum(['progress', 'info', 'warning', 'critical']),
  }),
  z.object({ kind: z.literal('recordCurrentVersion'), service: z.string(), version: z.string() }),
  z.object({
    kind: z.literal('switchListener'),
    stepId: z.string(),
    listenerArn: z.string(),
    ruleArn: z.string().optional(),
    fromTargetGroupArn: z.string(),
    toTargetGroupArn: z.string(),
  }),
  ...analysisEffects,
  z.object({
    kind: z.literal('countPath'),
    countId: z.string(),
    services: z.array(z.string()),
    span: z.object({ from: z.string(), to: z.string() }),
  }),
  ...canaryStackEffects,
  hookEffect,
]);
// Fails to compile when an effect kind is added without its stored shape here.
const everyEffect: [Exclude<Effect['kind'], z.infer<typeof effect>['kind']>] extends [never] ? true : never =
  true;
void everyEffect;

export const pendingEffectSchema = z.object({
  id: z.string(),
  releaseId: z.string(),
  effect: z.preprocess(upgradeLegacyNotify, effect),
  createdAt: instant,
}) satisfies z.ZodType<PendingEffect>;

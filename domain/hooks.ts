import * as z from 'zod';
import { patterns } from './patterns';
import type { ServiceConfig } from './service-config';
import type { HookStep, HostOperationStep, Step } from './types';

/*
 * Hooks: a team's own checks at named points of a release (a smoke test before traffic reaches the canary, a
 * check after each step, a notification after promotion). A hook that fails rolls the release back like an alarm,
 * with what it said in the card's thread.
 */

export const HOOK_POINTS = ['beforeTraffic', 'afterStep', 'afterPromotion'] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** A Lambda function or an HTTPS endpoint answers within one Lambda invocation of the agent's (30 s). */
export const MAX_CALL_SECONDS = 25;

/** One hook as configured (`hooks` in the service configuration). */
export function buildHooksSchema() {
  const hook = z
    .strictObject({
      /** Shown on the card; unique per service. */
      name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a hook name of a-z, 0-9 and hyphens (up to 40)'),
      at: z.enum(HOOK_POINTS),
      timeoutSeconds: z.number().int().min(5).max(3600).default(300),
      /** An SSM Command document of the team's, `<agent prefix>-custom-<document>`, on a fleet. */
      document: z
        .string()
        .regex(patterns.customDocument, 'the part of the document name after "-custom-"')
        .optional(),
      fleet: z.enum(['canary', 'stable']).optional(),
      /** A Lambda function, `<agent prefix>-hook-<lambda>`: the agent may invoke no other. */
      lambda: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,40}$/, 'the part of the function name after "-hook-"')
        .optional(),
      /** An HTTPS endpoint, sent a signed JSON body (docs/deploy.md, "Hooks"). */
      url: z.string().regex(patterns.hookUrl, 'an https:// URL').max(2048).optional(),
    })
    .refine((h) => [h.document, h.lambda, h.url].filter((t) => t !== undefined).length === 1, {
      message: 'name what the hook runs: one of document, lambda or url',
    })
    .refine((h) => h.document !== undefined || h.fleet === undefined, {
      message: 'fleet is where a document runs: only a document hook has one',
      path: ['fleet'],
    })
    .refine((h) => h.document !== undefined || h.timeoutSeconds <= MAX_CALL_SECONDS, {
      message: `a Lambda function or a URL answers within ${MAX_CALL_SECONDS} s (a longer check belongs in a document)`,
      path: ['timeoutSeconds'],
    });
  return z
    .array(hook)
    .max(10)
    .refine((hooks) => new Set(hooks.map((h) => h.name)).size === hooks.length, {
      message: 'each hook needs a name of its own',
    });
}

export type HookConfig = ServiceConfig['hooks'][number];

/**
 * The plan with the service's hooks in their places: `beforeTraffic` before the first step that gives the new
 * version traffic, `afterStep` after each window that judged the canary, `afterPromotion` after the promotion (or,
 * for blue/green, after the switched colour's window).
 */
export function withHooks(
  plan: readonly Step[],
  hooks: readonly HookConfig[],
  hostStep: (hook: HookConfig) => HostOperationStep,
): readonly Step[] {
  if (hooks.length === 0) return plan;
  const stepsAt = (point: HookPoint) =>
    hooks.filter((h) => h.at === point).map((h): Step => (h.document ? hostStep(h) : callStep(h)));
  const firstTraffic = plan.findIndex(givesTraffic);
  const promotion = plan.findIndex((s) => s.kind === 'hostOperation' && s.operation === 'promote');
  const lastWindow = plan.reduce(
    (last, s, i) => (s.kind === 'validate' && s.state === 'verifying' ? i : last),
    -1,
  );
  const afterPromotion = promotion >= 0 ? promotion : lastWindow;
  return plan.flatMap((step, index) => [
    ...(index === firstTraffic ? stepsAt('beforeTraffic') : []),
    step,
    ...(step.kind === 'validate' && step.state === 'verifying' ? stepsAt('afterStep') : []),
    ...(index === afterPromotion ? stepsAt('afterPromotion') : []),
  ]);
}

function givesTraffic(step: Step): boolean {
  if (step.kind === 'switchListener') return step.direction === 'forward';
  return (
    step.kind === 'hostOperation' && (step.operation === 'startMirror' || step.operation === 'shiftTraffic')
  );
}

function callStep(hook: HookConfig): HookStep {
  const target = hook.lambda !== undefined ? { lambda: hook.lambda } : { url: hook.url ?? '' };
  return {
    kind: 'hook',
    state: 'runningHook',
    name: hook.name,
    point: hook.at,
    target,
    timeoutSeconds: hook.timeoutSeconds,
  };
}

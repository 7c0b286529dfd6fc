import * as z from 'zod';
import { patterns } from '../domain/patterns';

/**
 * What the Slack function asks the read-only `preflight` function before it records a start or a revert, or to
 * preview a plan, and the answers. The Slack function holds no CloudWatch, ELB or SSM-instance client or right: it
 * asks (adapters/lambda-preflight.ts), and handlers/preflight.ts reads.
 */
export const preflightQuestion = z.discriminatedUnion('ask', [
  /** Which of these alarms do not exist (a start that would watch one is refused). */
  z.strictObject({
    ask: z.literal('missingAlarms'),
    names: z.array(z.string().regex(patterns.alarmName)).max(500),
  }),
  /** Which target group a blue/green listener (or one of its rules) forwards all traffic to. */
  z.strictObject({
    ask: z.literal('liveTargetGroup'),
    route: z.strictObject({
      listenerArn: z.string().regex(patterns.listenerArn, 'an ALB or NLB listener ARN'),
      ruleArn: z.string().regex(patterns.listenerRuleArn, 'a rule ARN of such a listener').optional(),
    }),
  }),
  /** A plan preview: how many instances carry each fleet's tags now (and are online), and each alarm's state. */
  z.strictObject({
    ask: z.literal('surveyPlan'),
    fleets: z
      .array(
        z
          .record(z.string().regex(patterns.tagKey), z.string().regex(patterns.tagValue))
          .refine((tags) => Object.keys(tags).length >= 1 && Object.keys(tags).length <= 5, '1 to 5 tags'),
      )
      .max(10),
    alarms: z.array(z.string().regex(patterns.alarmName)).max(500),
  }),
]);
export type PreflightQuestion = z.infer<typeof preflightQuestion>;

export const preflightAnswer = z.union([
  z.strictObject({ ask: z.literal('missingAlarms'), missing: z.array(z.string()) }),
  z.strictObject({ ask: z.literal('liveTargetGroup'), targetGroupArn: z.string().nullable() }),
  /** The listener cannot be read (not found, access denied): the start is refused with this reason. */
  z.strictObject({ ask: z.literal('liveTargetGroup'), refused: z.string() }),
  z.strictObject({
    ask: z.literal('surveyPlan'),
    fleets: z.array(
      z.strictObject({
        all: z.number().int().min(0),
        online: z.number().int().min(0),
        incomplete: z.literal(true).optional(),
      }),
    ),
    alarms: z.array(
      z.union([
        z.strictObject({
          name: z.string(),
          state: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
          since: z.string().optional(),
        }),
        z.strictObject({ name: z.string(), missing: z.literal(true) }),
      ]),
    ),
  }),
]);
export type PreflightAnswer = z.infer<typeof preflightAnswer>;

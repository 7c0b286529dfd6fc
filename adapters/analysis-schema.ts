import * as z from 'zod';

/* The stored shapes of the canary analysis: what a release judges with, how far a window got, the evidence. */

const instant = z.string();
const fleetQuery = z.object({
  namespace: z.string(),
  metricName: z.string(),
  stat: z.string(),
  dimensions: z.record(z.string(), z.string()),
});
const fleetQueries = z.object({ canary: fleetQuery, stable: fleetQuery });
const definition = z.object({
  name: z.string(),
  kind: z.enum(['distribution', 'ratio']),
  badDirection: z.enum(['up', 'down', 'either']),
  tolerance: z.number(),
  critical: z.boolean(),
  weight: z.number(),
});
const analysedMetric = z.discriminatedUnion('role', [
  z.object({ role: z.literal('sampleSize'), name: z.string(), queries: fleetQueries }),
  z.object({
    role: z.literal('judged'),
    definition,
    queries: z.array(fleetQueries),
    unit: z.literal('seconds').optional(),
  }),
]);
const baseline = z.enum(['sameTime', 'precedingSpan', 'earlierSpan']);
const baselineSpan = z.object({ from: instant, to: instant }).optional();

export const releaseAnalysisSchema = z.object({
  metrics: z.array(analysedMetric),
  settings: z.object({
    minimumRequests: z.number(),
    thresholds: z.object({ pass: z.number(), marginal: z.number() }),
    alpha: z.number(),
  }),
  intervalSeconds: z.number(),
  periodSeconds: z.number(),
  failureLimit: z.number(),
  baseline,
  baselineSpan,
});

export const analysisProgressSchema = z.object({
  judged: z.number(),
  failing: z.number(),
  next: z.object({ interval: z.number(), timerId: z.string() }).optional(),
  finalId: z.string().optional(),
});

const verdict = z.enum(['pass', 'marginal', 'fail', 'noData']);

export const evidenceSchema = z.object({
  of: z.literal('bake').optional(),
  at: instant,
  span: z.object({ from: instant, to: instant }),
  final: z.boolean(),
  verdict,
  score: z.number(),
  reason: z.string(),
  requests: z.object({ canary: z.number(), stable: z.number().optional() }),
  metrics: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['distribution', 'ratio']),
      unit: z.enum(['rate', 'seconds', 'value']),
      classification: z.enum(['pass', 'high', 'low', 'noData']),
      critical: z.boolean(),
      canary: z.number().optional(),
      stable: z.number().optional(),
      reason: z.string(),
    }),
  ),
});

export const metricsSpanSchema = z.object({
  from: instant,
  to: instant,
  periodSeconds: z.number(),
  baseline,
  baselineSpan,
});

export const analysisEffects = [
  z.object({ kind: z.literal('analyseCanary'), analysisId: z.string(), span: metricsSpanSchema }),
  z.object({ kind: z.literal('postEvidenceChart'), chartId: z.string(), span: metricsSpanSchema }),
] as const;

const names = z.array(z.string());

export const analysisNotices = [
  z.object({ kind: z.literal('analysing'), interval: z.number() }),
  z.object({ kind: z.literal('judgingCanary') }),
  z.object({
    kind: z.literal('canaryJudged'),
    interval: z.number(),
    verdict,
    score: z.number(),
    failing: z.number(),
    failureLimit: z.number(),
  }),
  z.object({ kind: z.literal('canaryPassed'), score: z.number() }),
  z.object({
    kind: z.literal('analysisFailed'),
    score: z.number(),
    metrics: names,
    reason: z.string(),
    early: z.boolean(),
  }),
  z.object({ kind: z.literal('marginal'), score: z.number(), reason: z.string() }),
  z.object({ kind: z.literal('promotedMarginal'), by: z.string(), score: z.number() }),
] as const;

export const analysisFailedReason = z.object({
  kind: z.literal('analysisFailed'),
  score: z.number(),
  metrics: names,
  reason: z.string(),
  early: z.boolean(),
});

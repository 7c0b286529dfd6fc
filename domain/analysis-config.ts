/**
 * A service's canary analysis: which metrics the judge compares, how much data it needs, and how strict it is.
 * Parsed strictly like the rest of the service policy (a misspelt key is an error, never a silent default); it is
 * the `analysis` section of a service's configuration (`service-config.ts`).
 */
import * as z from 'zod';
import type { BadDirection, MetricDefinition, MetricKind } from './judge';

export const PRESET_NAMES = ['requestCount', 'errorRate', 'latencyP50', 'latencyP99'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
export type LoadBalancerType = 'alb' | 'elb';

/** One CloudWatch metric; the dimensions that pick the fleet come from `loadBalancer` (or, for custom metrics, `{fleet}`). */
export interface MetricQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: string;
}

/**
 * What a preset measures, for each kind of load balancer. A ratio is `events / total`, summed per interval.
 * `requestCount` is not judged: the canary's request count is the sample size that `minimumRequests` gates,
 * because comparing raw counts between a canary given 10% of traffic and its stable fleet would always fail.
 */
export type Preset =
  | { readonly role: 'sampleSize'; readonly query: MetricQuery }
  | {
      readonly role: 'judged';
      readonly definition: Omit<MetricDefinition, 'name'>;
      readonly queries: readonly MetricQuery[];
      /** What the figures measure, when the card should show them in a unit (latency in seconds). */
      readonly unit?: 'seconds';
    };

const up = (kind: MetricKind, tolerance: number, critical: boolean) => ({
  kind,
  badDirection: 'up' as BadDirection,
  tolerance,
  critical,
  weight: 1,
});

/** The same four presets for every load balancer type, on that type's own metric names. */
function presets(
  namespace: string,
  names: { readonly requests: string; readonly serverErrors: string; readonly latency: string },
): Readonly<Record<PresetName, Preset>> {
  const requests = { namespace, metricName: names.requests, stat: 'Sum' };
  const latency = (stat: 'p50' | 'p99'): Preset => ({
    role: 'judged',
    definition: up('distribution', 0.1, false),
    queries: [{ namespace, metricName: names.latency, stat }],
    unit: 'seconds',
  });
  return {
    requestCount: { role: 'sampleSize', query: requests },
    errorRate: {
      role: 'judged',
      definition: up('ratio', 0.005, true),
      queries: [{ namespace, metricName: names.serverErrors, stat: 'Sum' }, requests],
    },
    latencyP50: latency('p50'),
    latencyP99: latency('p99'),
  };
}

/** Presets per load balancer type: ALB metrics by target group, Classic ELB metrics by load balancer name. */
export const PRESETS: Readonly<Record<LoadBalancerType, Readonly<Record<PresetName, Preset>>>> = {
  alb: presets('AWS/ApplicationELB', {
    requests: 'RequestCount',
    serverErrors: 'HTTPCode_Target_5XX_Count',
    latency: 'TargetResponseTime',
  }),
  elb: presets('AWS/ELB', {
    requests: 'RequestCount',
    serverErrors: 'HTTPCode_Backend_5XX',
    latency: 'Latency',
  }),
};

/** The one placeholder a custom dimension value may hold: `canary`, `stable`, or a blue/green colour per query. */
export const FLEET_PLACEHOLDER = '{fleet}';

/** Built on first parse, as the service configuration's schema is (service-config.ts). */
function buildAnalysisConfigSchema() {
  /** ALB dimension values as CloudWatch spells them: the tail of the ARN. */
  const albFleet = z.strictObject({
    loadBalancer: z
      .string()
      .regex(
        /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
        'a LoadBalancer dimension such as "app/orders/50dc6c495c0c9188"',
      ),
    targetGroup: z
      .string()
      .regex(
        /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
        'a TargetGroup dimension such as "targetgroup/orders-canary/73e2d6bc24d8a067"',
      ),
  });
  const elbFleet = z.strictObject({
    loadBalancerName: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,32}$/, 'a Classic load balancer name (letters, digits, -)'),
  });

  /**
   * Where each fleet's figures come from: the canary's, and the stable fleet's, or, for a blue/green service, each
   * colour's (the live one is the stable fleet; after a blue/green switch, the new colour is judged against the old).
   */
  const fleetsOf = <T extends z.ZodType>(fleet: T) => ({
    canary: fleet,
    stable: fleet.optional(),
    blue: fleet.optional(),
    green: fleet.optional(),
  });

  const loadBalancer = z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('alb'), ...fleetsOf(albFleet) }),
      z.strictObject({ type: z.literal('elb'), ...fleetsOf(elbFleet) }),
    ],
    {
      error:
        'type "alb" (Application Load Balancer, by target group) or "elb" (Classic, by load balancer name)',
    },
  );

  const tolerance = z
    .number()
    .min(0, 'a tolerance of 0 or more')
    .max(10, 'a tolerance of at most 10 (1000%)');
  const weight = z.number().positive('a positive weight').max(100, 'a weight of at most 100');

  /** A preset, with its judging optionally tuned. */
  const presetMetric = z.strictObject({
    preset: z.enum(PRESET_NAMES, `a preset: ${PRESET_NAMES.join(', ')}`),
    tolerance: tolerance.optional(),
    critical: z.boolean().optional(),
    weight: weight.optional(),
  });

  /** A metric the service publishes itself, compared as a distribution of per-interval values. */
  const customMetric = z.strictObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a metric name of letters, digits, _ and -'),
    namespace: z
      .string()
      .regex(
        /^(?!AWS\/)[A-Za-z0-9._/#:-]{1,255}$/,
        'a custom CloudWatch namespace such as "OrdersApi" (not AWS/…)',
      ),
    metricName: z
      .string()
      .min(1, 'a CloudWatch metric name')
      .max(255, 'a metric name of at most 255 characters'),
    stat: z
      .string()
      .regex(
        /^(?:Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(?:\.\d{1,2})?)$/,
        'a statistic: Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99',
      ),
    dimensions: z
      .record(
        z.string().min(1).max(255),
        z
          .string()
          .min(1)
          .max(255)
          .refine((value) => !/\{(?!fleet\})[^}]*\}/.test(value), {
            message: `a dimension value; its only placeholder is ${FLEET_PLACEHOLDER}, replaced by canary, stable, blue or green`,
          }),
      )
      .refine((dimensions) => Object.keys(dimensions).length <= 30, { message: 'at most 30 dimensions' })
      .refine((dimensions) => Object.values(dimensions).some((value) => value.includes(FLEET_PLACEHOLDER)), {
        message: `a dimension value with ${FLEET_PLACEHOLDER}, so that the canary and the stable fleet are queried apart`,
      }),
    badDirection: z.enum(['up', 'down', 'either'], 'a bad direction: up, down or either').default('up'),
    tolerance: tolerance.default(0.1),
    critical: z.boolean().default(false),
    weight: weight.default(1),
  });

  const percentScore = z.number().min(0, 'a score from 0 to 100').max(100, 'a score from 0 to 100');

  return z.strictObject({
    loadBalancer,
    metrics: z
      .array(z.union([presetMetric, customMetric]))
      .min(1)
      .default([{ preset: 'requestCount' }, { preset: 'errorRate' }, { preset: 'latencyP99' }])
      .refine((metrics) => metrics.some((m) => 'preset' in m && m.preset === 'requestCount'), {
        message:
          'include { "preset": "requestCount" }: it counts the canary requests that minimumRequests gates',
      })
      .refine((metrics) => new Set(metrics.map(metricName)).size === metrics.length, {
        message: 'each metric once: preset and custom names must be unique',
      }),
    /** How many canary requests an interval needs before it is judged at all; depends on the service, so no default. */
    minimumRequests: z.number().int().min(1, 'a request count of at least 1'),
    /** How often the judge runs during a window, on everything gathered since the window began. */
    intervalSeconds: z
      .number()
      .int()
      .min(60, 'at least 60 seconds (CloudWatch resolution)')
      .max(3600)
      .default(60),
    /**
     * One datapoint per period: the samples a distribution metric is judged on. Load balancer metrics have 60-second
     * resolution; a high-resolution custom metric may use 1, 5, 10 or 30.
     */
    periodSeconds: z
      .number()
      .int()
      .refine((p) => [1, 5, 10, 30].includes(p) || (p >= 60 && p % 60 === 0 && p <= 3600), {
        message: 'a CloudWatch period: 1, 5, 10, 30, or a multiple of 60 up to 3600',
      })
      .default(60),
    /** Consecutive failing intervals that roll the release back; one bad minute is noise. */
    failureLimit: z.number().int().min(1, 'at least 1 interval').max(60).default(3),
    thresholds: z
      .strictObject({ pass: percentScore.default(95), marginal: percentScore.default(75) })
      .prefault({})
      .refine((t) => t.marginal <= t.pass, { message: 'marginal <= pass' }),
    alpha: z.number().gt(0, 'a significance level between 0 and 0.5').max(0.5).default(0.05),
  });
}

export const analysisConfigSchema = z.lazy(buildAnalysisConfigSchema);

export type AnalysisConfig = z.infer<typeof analysisConfigSchema>;
export type AnalysisConfigInput = z.input<typeof analysisConfigSchema>;

function metricName(metric: { readonly preset: PresetName } | { readonly name: string }): string {
  return 'preset' in metric ? metric.preset : metric.name;
}

export type AnalysisConfigResult =
  | { readonly ok: true; readonly config: AnalysisConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Parses a service's `analysis` section; each error names the field and what was expected.
 *
 * @example
 * parseAnalysisConfig({ loadBalancer: { type: 'nlb' }, minimumRequests: 100 })
 * // { ok: false, errors: ['loadBalancer.type: type "alb" (Application Load Balancer, by target group) or "elb" …'] }
 */
export function parseAnalysisConfig(input: unknown): AnalysisConfigResult {
  const parsed = analysisConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, errors: parsed.error.issues.flatMap((issue) => describeIssue(issue, [])) };
}

/** One line per problem; for a metric that is neither a valid preset nor a valid custom metric, the closer one's. */
export function describeIssue(
  issue: z.core.$ZodIssue,
  parentPath: readonly PropertyKey[],
  root = 'analysis',
): string[] {
  const path = [...parentPath, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return closest.flatMap((inner) => describeIssue(inner, path, root));
  }
  const field = path.length > 0 ? path.map(String).join('.') : root;
  if (issue.code === 'unrecognized_keys') return [`${field}: unknown field(s) ${issue.keys.join(', ')}`];
  return [`${field}: ${issue.message}`];
}

/** An analysis reads every fleet a release of this service may judge or compare against. */
export function analysisNamesEveryFleet(config: {
  readonly analysis?: { readonly loadBalancer: Partial<Record<'stable' | 'blue' | 'green', unknown>> };
  readonly blueGreen?: unknown;
}): boolean {
  const lb = config.analysis?.loadBalancer;
  if (lb === undefined) return true;
  return config.blueGreen === undefined
    ? lb.stable !== undefined
    : lb.blue !== undefined && lb.green !== undefined;
}

/**
 * The sandbox load balancers' records as CloudWatch metrics of an Application Load Balancer (AWS/ApplicationELB):
 * which records count for which metric and dimensions, and how a period's values become one datapoint. What the
 * local GetMetricData (local/cloudwatch-standin.ts) answers from.
 */
import type { LoadBalancerRecord, LoadBalancerTarget } from './load-balancer';

export const ALB_NAMESPACE = 'AWS/ApplicationELB';

/** One metric series' origin: a load balancer's records, or counts from log lines, named by its dimensions. */
export type MetricSource = AlbSource | CountSource;

/** An ALB's metrics: the records whose namespace and exact set of dimensions a query names. */
export interface AlbSource {
  readonly namespace: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** The requests this series counts (already those of its target group), oldest first. */
  readonly records: () => readonly LoadBalancerRecord[];
}

/** Lines counted at `atMs`, as a CloudWatch agent's metric filter publishes them. */
export interface LineCount {
  readonly atMs: number;
  readonly count: number;
}

/** Metrics counted from a host's log lines (unit Count), by metric name, oldest first. */
export interface CountSource {
  readonly namespace: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly counts: Readonly<Record<string, () => readonly LineCount[]>>;
}

interface MetricDefinition {
  readonly unit: 'Count' | 'Seconds';
  /** What one request adds to the metric; undefined when it does not count for it. */
  readonly value: (record: LoadBalancerRecord) => number | undefined;
}

const targetStatus = (low: number) => (r: LoadBalancerRecord) =>
  r.target !== undefined && r.status >= low && r.status < low + 100 ? 1 : undefined;

/**
 * The ALB metrics the records give, as the ALB documentation defines them: RequestCount counts only requests
 * for which a target was chosen, HTTPCode_Target_* the targets' answers, HTTPCode_ELB_5XX_Count the load
 * balancer's own (here: 502 when no target answered), TargetResponseTime in seconds. A count metric has no
 * datapoint for a period in which nothing counted, as ALB publishes none.
 */
export const ALB_METRICS: Readonly<Record<string, MetricDefinition>> = {
  RequestCount: { unit: 'Count', value: (r) => (r.target === undefined ? undefined : 1) },
  HTTPCode_Target_2XX_Count: { unit: 'Count', value: targetStatus(200) },
  HTTPCode_Target_3XX_Count: { unit: 'Count', value: targetStatus(300) },
  HTTPCode_Target_4XX_Count: { unit: 'Count', value: targetStatus(400) },
  HTTPCode_Target_5XX_Count: { unit: 'Count', value: targetStatus(500) },
  HTTPCode_ELB_5XX_Count: {
    unit: 'Count',
    value: (r) => (r.target === undefined && r.status >= 500 ? 1 : undefined),
  },
  TargetResponseTime: {
    unit: 'Seconds',
    value: (r) => (r.target === undefined ? undefined : r.latencyMs / 1000),
  },
};

/**
 * The series of one ALB as CloudWatch keeps them: by `LoadBalancer` alone (every request) and by `LoadBalancer`
 * and `TargetGroup` for each target group, whose records are those its targets answered.
 *
 * @example
 * albSources(fleet.stableLb, 'app/orders-api/0123456789abcdef', [
 *   { targetGroup: 'targetgroup/orders-api-blue/0000000000000b1e', has: (t) => blueAddresses.has(t.host) },
 * ])
 */
export function albSources(
  lb: { readonly records: () => readonly LoadBalancerRecord[] },
  loadBalancer: string,
  targetGroups: readonly {
    readonly targetGroup: string;
    readonly has: (target: LoadBalancerTarget) => boolean;
  }[],
): MetricSource[] {
  return [
    { namespace: ALB_NAMESPACE, dimensions: { LoadBalancer: loadBalancer }, records: lb.records },
    ...targetGroups.map(({ targetGroup, has }) => ({
      namespace: ALB_NAMESPACE,
      dimensions: { LoadBalancer: loadBalancer, TargetGroup: targetGroup },
      records: () => lb.records().filter((r) => r.target !== undefined && has(r.target)),
    })),
  ];
}

/** Thrown for a statistic CloudWatch would refuse; the stand-in answers it as InvalidParameterValue. */
export class UnsupportedStatistic extends Error {}

/**
 * One period's datapoint for `stat`: Sum, SampleCount, Average, Minimum, Maximum or a percentile pNN(.NN)
 * (nearest rank over the period's values; CloudWatch estimates from its own buckets, close enough for a judge).
 */
export function statistic(stat: string, values: readonly number[]): number {
  const percentile = /^p(\d{1,2}(?:\.\d{1,2})?|100)$/.exec(stat);
  if (percentile) {
    const sorted = Float64Array.from(values).sort();
    const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length);
    return sorted[Math.max(0, rank - 1)] ?? Number.NaN;
  }
  const sum = values.reduce((total, v) => total + v, 0);
  switch (stat) {
    case 'Sum':
      return sum;
    case 'SampleCount':
      return values.length;
    case 'Average':
      return sum / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    default:
      throw new UnsupportedStatistic(
        `The statistic ${stat} is not one the sandbox's CloudWatch computes (Sum, SampleCount, Average, Minimum, Maximum, pNN).`,
      );
  }
}

export interface SeriesQuery {
  readonly metricName: string;
  readonly stat: string;
  readonly unit?: string;
  readonly periodSeconds: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface Datapoint {
  readonly atMs: number;
  readonly value: number;
}

/**
 * The datapoints of one series, oldest first: one per period that had any value, stamped with the period's
 * start. Periods follow GetMetricData's rounding of StartTime (down to the period for periods of up to a
 * minute, to the minute beyond), and every period that starts before EndTime (exclusive) is returned whole.
 * An unknown metric, or a unit other than the metric's, has no datapoints, as in CloudWatch.
 */
export function datapoints(source: MetricSource, query: SeriesQuery): Datapoint[] {
  const values = valuesOf(source, query);
  const periodMs = query.periodSeconds * 1000;
  const roundingMs = Math.min(periodMs, 60_000);
  const firstMs = Math.floor(query.startMs / roundingMs) * roundingMs;
  const byPeriod = new Map<number, number[]>();
  for (const { atMs, value } of values) {
    if (atMs < firstMs) continue;
    const periodStart = firstMs + Math.floor((atMs - firstMs) / periodMs) * periodMs;
    if (periodStart >= query.endMs) continue;
    const period = byPeriod.get(periodStart);
    if (period) period.push(value);
    else byPeriod.set(periodStart, [value]);
  }
  return [...byPeriod.entries()]
    .sort(([a], [b]) => a - b)
    .map(([atMs, period]) => ({ atMs, value: statistic(query.stat, period) }));
}

/** What each request (or counted line) adds to the queried metric, when; none for a metric the source lacks. */
function valuesOf(source: MetricSource, query: SeriesQuery): readonly Datapoint[] {
  if ('counts' in source) {
    const counts = source.counts[query.metricName];
    if (counts === undefined || (query.unit !== undefined && query.unit !== 'Count')) return [];
    return counts().map(({ atMs, count }) => ({ atMs, value: count }));
  }
  const metric = ALB_METRICS[query.metricName];
  if (metric === undefined || source.namespace !== ALB_NAMESPACE) return [];
  if (query.unit !== undefined && query.unit !== metric.unit) return [];
  return source.records().flatMap((record) => {
    const value = metric.value(record);
    return value === undefined ? [] : [{ atMs: record.atMs, value }];
  });
}

import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { AnalysedFleet, AnalysedMetric, FleetQuery } from '../domain/analysis-queries';
import { baselineSpanOf, type TimeSpan } from '../domain/canary-analysis';
import type { MetricData } from '../domain/judge';
import type { CanaryMetrics, MetricsReading } from '../domain/ports';
import { readPathCounts } from './cloudwatch-path-counts';

/** GetMetricData takes at most 500 queries per call (CloudWatch API reference, GetMetricData). */
const MAX_QUERIES = 500;
const FLEETS: readonly AnalysedFleet[] = ['canary', 'stable'];

/**
 * The canary analysis' metrics from CloudWatch: every metric of both fleets in one `GetMetricData` call (more only
 * past 500 queries or when CloudWatch pages the answer), one datapoint per period. A failed read throws: the
 * effect stays in the outbox and is retried, and the engine never takes a failed read for a pass.
 */
export function cloudWatchCanaryMetrics(client: CloudWatchClient): CanaryMetrics {
  return {
    async read(metrics, span) {
      // Blue/green's baseline is the old colour just before the switch, the bake's the fleet before the release:
      // one call covers both spans (CloudWatch charges per metric, not per datapoint), and each side keeps only
      // the datapoints of its own span.
      const sides: Record<AnalysedFleet, { from: number; to: number }> = {
        canary: { from: Date.parse(span.from), to: Date.parse(span.to) },
        stable: millis(baselineSpanOf(span)),
      };
      const planned = planQueries(metrics, span.periodSeconds, span.baseline !== 'sameTime');
      const values = new Map<string, number[]>();
      const start = Math.min(sides.canary.from, sides.stable.from);
      const end = Math.max(sides.canary.to, sides.stable.to);
      const keep = (id: string, at: number) => {
        if (span.baseline === 'sameTime') return true;
        const side = sides[id.endsWith('canary') ? 'canary' : 'stable'];
        return at >= side.from && at < side.to;
      };
      for (let first = 0; first < planned.queries.length; first += MAX_QUERIES) {
        let NextToken: string | undefined;
        do {
          const page = await client.send(
            new GetMetricDataCommand({
              MetricDataQueries: planned.queries.slice(first, first + MAX_QUERIES),
              StartTime: new Date(start),
              EndTime: new Date(end),
              ScanBy: 'TimestampAscending',
              NextToken,
            }),
          );
          for (const result of page.MetricDataResults ?? []) collect(values, result, keep);
          NextToken = page.NextToken;
        } while (NextToken);
      }
      return reading(
        metrics,
        (metricIndex, queryIndex, fleet) =>
          values.get(planned.idOf(queryId(metricIndex, queryIndex, fleet))) ?? [],
      );
    },
    pathCounts: (services, span) => readPathCounts(client, services, span),
  };
}

/** Ids must start with a lower-case letter: metric, query within it, and fleet make each unique. */
function queryId(metricIndex: number, queryIndex: number, fleet: AnalysedFleet): string {
  return `m${metricIndex}q${queryIndex}${fleet}`;
}

function millis(span: TimeSpan): { from: number; to: number } {
  return { from: Date.parse(span.from), to: Date.parse(span.to) };
}

/**
 * One query per distinct metric: CloudWatch charges per metric requested, and the error rate's request count is
 * the same metric as the sample size's, so it is asked for once and read under both names. When the two sides are
 * read over different spans, each side's queries stay its own, even on the same metric (the bake reads one fleet).
 */
function planQueries(metrics: readonly AnalysedMetric[], periodSeconds: number, sidesApart: boolean) {
  const byKey = new Map<string, string>();
  const aliases = new Map<string, string>();
  const queries: MetricDataQuery[] = [];
  metrics.forEach((metric, metricIndex) => {
    const perFleet = metric.role === 'sampleSize' ? [metric.queries] : metric.queries;
    perFleet.forEach((byFleet, queryIndex) => {
      for (const fleet of FLEETS) {
        const id = queryId(metricIndex, queryIndex, fleet);
        const query = metricQuery(id, byFleet[fleet], periodSeconds);
        const key = JSON.stringify([sidesApart ? fleet : '', query.MetricStat]);
        const known = byKey.get(key);
        if (known === undefined) {
          byKey.set(key, id);
          queries.push(query);
        }
        aliases.set(id, known ?? id);
      }
    });
  });
  return { queries, idOf: (id: string) => aliases.get(id) ?? id };
}

function metricQuery(Id: string, query: FleetQuery, Period: number): MetricDataQuery {
  return {
    Id,
    MetricStat: {
      Metric: {
        Namespace: query.namespace,
        MetricName: query.metricName,
        Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period,
      Stat: query.stat,
    },
    ReturnData: true,
  };
}

function collect(
  values: Map<string, number[]>,
  result: MetricDataResult,
  keep: (id: string, at: number) => boolean,
): void {
  const id = result.Id;
  if (id === undefined) return;
  if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError')
    throw new Error(`GetMetricData could not read ${id}: ${result.StatusCode}`);
  const timestamps = result.Timestamps ?? [];
  const kept = (result.Values ?? []).filter(
    (value, i) => Number.isFinite(value) && keep(id, timestamps[i]?.getTime() ?? Number.NaN),
  );
  values.set(id, [...(values.get(id) ?? []), ...kept]);
}

type Datapoints = (metricIndex: number, queryIndex: number, fleet: AnalysedFleet) => readonly number[];

/** Datapoints into what the judge compares: per-period values, or event counts summed over the span. */
function reading(metrics: readonly AnalysedMetric[], datapoints: Datapoints): MetricsReading {
  const sum = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);
  // A group's analysis sizes one sample per member: the least-served canary's is the sample (domain/group-plan.ts).
  let canaryRequests = Number.POSITIVE_INFINITY;
  let stableRequests = Number.POSITIVE_INFINITY;
  const data: Record<string, MetricData> = {};
  metrics.forEach((metric, i) => {
    if (metric.role === 'sampleSize') {
      canaryRequests = Math.min(canaryRequests, sum(datapoints(i, 0, 'canary')));
      stableRequests = Math.min(stableRequests, sum(datapoints(i, 0, 'stable')));
      return;
    }
    const { name, kind } = metric.definition;
    if (kind === 'ratio') {
      const count = (fleet: AnalysedFleet) => ({
        events: sum(datapoints(i, 0, fleet)),
        total: sum(datapoints(i, 1, fleet)),
      });
      data[name] = { kind, canary: count('canary'), stable: count('stable') };
      return;
    }
    const [canary, stable] = [datapoints(i, 0, 'canary'), datapoints(i, 0, 'stable')];
    if (canary.length > 0 || stable.length > 0) data[name] = { kind, canary, stable };
  });
  const counted = (n: number) => (Number.isFinite(n) ? n : 0);
  return { canaryRequests: counted(canaryRequests), stableRequests: counted(stableRequests), data };
}

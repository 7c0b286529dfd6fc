import {
  type AnalysisConfig,
  FLEET_PLACEHOLDER,
  type MetricQuery,
  PRESETS,
  type PresetName,
} from './analysis-config';
import type { MetricDefinition, MetricKind } from './judge';

export type AnalysedFleet = 'canary' | 'stable';

/** One CloudWatch metric as read for one fleet: what `GetMetricData` asks for, and whose figures it is. */
export interface FleetQuery extends MetricQuery {
  readonly dimensions: Readonly<Record<string, string>>;
}

/**
 * What the analysis reads for one metric: the request count that sizes the sample, or a judged metric with its
 * definition. A ratio reads two queries per fleet (events, then total); a distribution reads one.
 */
export type AnalysedMetric =
  | { readonly role: 'sampleSize'; readonly name: string; readonly queries: FleetQueries }
  | {
      readonly role: 'judged';
      readonly definition: MetricDefinition;
      readonly queries: readonly FleetQueries[];
    };

export type FleetQueries = Readonly<Record<AnalysedFleet, FleetQuery>>;

/**
 * Turns a service's analysis section into the metrics to read for each fleet and the definitions the judge uses.
 * Pure: the CloudWatch adapter runs the queries, the judge compares what they return.
 *
 * @example
 * analysedMetrics(config).map((m) => (m.role === 'judged' ? m.definition.name : m.name))
 * // ['requestCount', 'errorRate', 'latencyP99']
 */
export function analysedMetrics(analysis: AnalysisConfig): readonly AnalysedMetric[] {
  const { loadBalancer } = analysis;
  const dimensionsOf = (fleet: AnalysedFleet): Record<string, string> =>
    loadBalancer.type === 'alb'
      ? { LoadBalancer: loadBalancer[fleet].loadBalancer, TargetGroup: loadBalancer[fleet].targetGroup }
      : { LoadBalancerName: loadBalancer[fleet].loadBalancerName };
  const forFleets = (query: MetricQuery): FleetQueries => ({
    canary: { ...query, dimensions: dimensionsOf('canary') },
    stable: { ...query, dimensions: dimensionsOf('stable') },
  });
  return analysis.metrics.map((metric): AnalysedMetric => {
    if ('preset' in metric) {
      const preset = PRESETS[loadBalancer.type][metric.preset as PresetName];
      if (preset.role === 'sampleSize')
        return { role: 'sampleSize', name: metric.preset, queries: forFleets(preset.query) };
      const definition: MetricDefinition = {
        ...preset.definition,
        name: metric.preset,
        ...(metric.tolerance === undefined ? {} : { tolerance: metric.tolerance }),
        ...(metric.critical === undefined ? {} : { critical: metric.critical }),
        ...(metric.weight === undefined ? {} : { weight: metric.weight }),
      };
      return { role: 'judged', definition, queries: preset.queries.map(forFleets) };
    }
    const { name, namespace, metricName, stat, dimensions, badDirection, tolerance, critical, weight } =
      metric;
    const fill = (fleet: AnalysedFleet) =>
      Object.fromEntries(
        Object.entries(dimensions).map(([key, value]) => [key, value.split(FLEET_PLACEHOLDER).join(fleet)]),
      );
    const query = { namespace, metricName, stat };
    const kind: MetricKind = 'distribution';
    return {
      role: 'judged',
      definition: { name, kind, badDirection, tolerance, critical, weight },
      queries: [
        {
          canary: { ...query, dimensions: fill('canary') },
          stable: { ...query, dimensions: fill('stable') },
        },
      ],
    };
  });
}

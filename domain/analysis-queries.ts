import {
  type AnalysisConfig,
  FLEET_PLACEHOLDER,
  type MetricQuery,
  PRESETS,
  type PresetName,
} from './analysis-config';
import type { MetricDefinition, MetricKind } from './judge';

export type AnalysedFleet = 'canary' | 'stable';
/** A fleet the analysis configuration names: the canary, the stable fleet, or a blue/green colour. */
export type ConfiguredFleet = 'canary' | 'stable' | 'blue' | 'green';

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
      readonly unit?: 'seconds';
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
export function analysedMetrics(
  analysis: AnalysisConfig,
  sides: Readonly<Record<AnalysedFleet, ConfiguredFleet>> = { canary: 'canary', stable: 'stable' },
): readonly AnalysedMetric[] {
  const { loadBalancer } = analysis;
  const dimensionsOf = (side: AnalysedFleet): Record<string, string> => {
    const fleet = sides[side];
    if (loadBalancer.type === 'alb') {
      const found = loadBalancer[fleet];
      if (found === undefined) throw new Error(`analysis.loadBalancer.${fleet} is not configured`);
      return { LoadBalancer: found.loadBalancer, TargetGroup: found.targetGroup };
    }
    const found = loadBalancer[fleet];
    if (found === undefined) throw new Error(`analysis.loadBalancer.${fleet} is not configured`);
    return { LoadBalancerName: found.loadBalancerName };
  };
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
      const unit = preset.unit ? { unit: preset.unit } : {};
      return { role: 'judged', definition, queries: preset.queries.map(forFleets), ...unit };
    }
    const { name, namespace, metricName, stat, dimensions, badDirection, tolerance, critical, weight } =
      metric;
    const fill = (fleet: ConfiguredFleet) =>
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
          canary: { ...query, dimensions: fill(sides.canary) },
          stable: { ...query, dimensions: fill(sides.stable) },
        },
      ],
    };
  });
}

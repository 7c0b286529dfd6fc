import type { AnalysedFleet, AnalysedMetric, FleetQuery } from '../domain/analysis-queries';
import { baselineSpanOf } from '../domain/canary-analysis';
import type { EvidenceImage, MetricsSpan } from '../domain/ports';

/*
 * One picture of the analysis: CloudWatch's metric widget (the `MetricWidget` JSON of GetMetricWidgetImage, see
 * "GetMetricWidgetImage: Metric Widget Structure and Syntax"), canary against stable for every judged metric. The
 * same widget is drawn by CloudWatch on AWS and by local/evidence-charts.ts in the sandbox.
 *
 *   error rate   [ns, 5XX, dims…, {id: e1canary, visible: false}]  [ns, RequestCount, dims…, {id: t1canary, …}]
 *                [{expression: '100*FILL(e1canary,0)/t1canary', label: 'canary error %', yAxis: 'left'}]
 *   latency (s)  [ns, TargetResponseTime, dims…, {stat: 'p99', id: v2canary, visible: false}]
 *                [{expression: '1000*v2canary', label: 'canary p99 (ms)', yAxis: 'right'}]
 *   custom       [ns, name, dims…, {stat, id: v3canary, label: 'canary <name>', yAxis: 'right'}]
 *
 * ALB publishes no HTTPCode_Target_5XX_Count in a minute without errors, so the errors are FILLed with 0 where
 * the request count has a datapoint: without it a canary with no errors would draw no line at all.
 */

/** How one raw metric is drawn: CloudWatch's rendering properties, the last element of a metric row. */
export interface WidgetMetricOptions {
  readonly id: string;
  readonly stat: string;
  readonly label?: string;
  readonly color?: string;
  readonly visible?: boolean;
  readonly yAxis?: WidgetAxis;
}

/** A metric math expression row; this builder only emits `100*FILL(a,0)/b` and `1000*a`. */
export interface WidgetExpression {
  readonly expression: string;
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly yAxis: WidgetAxis;
}

export type WidgetAxis = 'left' | 'right';
/** `[namespace, metricName, dimensionName, dimensionValue, …, options]`, or `[expression]`. */
export type WidgetMetricRow = readonly [...string[], WidgetMetricOptions] | readonly [WidgetExpression];

/** The last element of a row: a raw metric's rendering options, or its expression. */
export function rowOptions(row: WidgetMetricRow): WidgetMetricOptions | WidgetExpression {
  const last = row[row.length - 1];
  if (last === undefined || typeof last === 'string') throw new Error('a metric row ends with its options');
  return last;
}

export interface WidgetYAxis {
  readonly min: number;
  readonly label: string;
  readonly showUnits: boolean;
}

export interface MetricWidget {
  readonly view: 'timeSeries';
  readonly stacked: false;
  readonly title: string;
  /** ISO 8601 instants: the picture covers [start, end). */
  readonly start: string;
  readonly end: string;
  readonly period: number;
  readonly width: number;
  readonly height: number;
  readonly metrics: readonly WidgetMetricRow[];
  readonly yAxis: { readonly left: WidgetYAxis; readonly right?: WidgetYAxis };
  readonly legend: { readonly position: 'bottom' };
  /** Blue/green: where the new colour took over, between the old colour's span and the new one's. */
  readonly annotations?: { readonly vertical: readonly { readonly value: string; readonly label: string }[] };
}

/** Each fleet keeps its hue on every chart: the canary warm, stable cool; a second metric gets a darker shade. */
export const FLEET_COLOURS: Readonly<Record<AnalysedFleet, readonly string[]>> = {
  canary: ['#ff7f0e', '#d62728', '#8c564b', '#e377c2'],
  stable: ['#1f77b4', '#17becf', '#2ca02c', '#9467bd'],
};
const FLEETS: readonly AnalysedFleet[] = ['canary', 'stable'];
const FLEET_HUES: Readonly<Record<AnalysedFleet, string>> = { canary: 'orange', stable: 'blue' };

/** What the presets are called on the chart; a custom metric keeps its own name. */
const NAMES: Readonly<Record<string, string>> = {
  errorRate: 'error %',
  latencyP50: 'p50 (ms)',
  latencyP99: 'p99 (ms)',
};

/** More points than this would be narrower than a pixel: the period grows instead (one call per chart). */
const MAX_POINTS = 720;
export const WIDGET_SIZE = { width: 800, height: 400 } as const;

type Judged = Extract<AnalysedMetric, { role: 'judged' }>;

/**
 * The metric widget for one chart of canary against stable over `span`; blue/green (`precedingSpan`) draws the span
 * before `from` too, where the old colour served, with a line where the new colour took over.
 *
 * @example
 * JSON.stringify(metricWidget(analysedMetrics(config), span, 'orders-api 1.4.2: canary against stable'))
 */
export function metricWidget(
  metrics: readonly AnalysedMetric[],
  span: MetricsSpan,
  title: string,
  size: { readonly width: number; readonly height: number } = WIDGET_SIZE,
): MetricWidget {
  const { start, end } = chartTimes(span);
  const judged = metrics.filter((m): m is Judged => m.role === 'judged');
  const hasRatio = judged.some((m) => m.definition.kind === 'ratio');
  // Percentages on the left; latency and custom figures on the right, or on the left when nothing else is there.
  const otherAxis: WidgetAxis = hasRatio ? 'right' : 'left';
  // Ids carry the metric's index in the analysis, as GetMetricData's do; shades follow the judged metrics' order.
  // The bake reads one fleet on both sides: one line each, running from before the release to the bake's end.
  const fleets = span.baseline === 'earlierSpan' ? (['canary'] as const) : FLEETS;
  const rows = metrics.flatMap((metric, index) =>
    metric.role === 'judged' ? rowsOf(metric, index, judged.indexOf(metric), otherAxis, fleets) : [],
  );
  const others = judged.filter((m) => m.definition.kind !== 'ratio');
  const othersLabel = others.every((m) => m.unit === 'seconds') ? 'ms' : '';
  const axis = (label: string): WidgetYAxis => ({ min: 0, label, showUnits: false });
  return {
    view: 'timeSeries',
    stacked: false,
    title,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    period: chartPeriod(span.periodSeconds, end - start),
    width: size.width,
    height: size.height,
    metrics: rows,
    yAxis:
      hasRatio && others.length > 0
        ? { left: axis('%'), right: axis(othersLabel) }
        : { left: axis(hasRatio ? '%' : othersLabel) },
    legend: { position: 'bottom' },
    ...annotationsOf(span),
  };
}

function annotationsOf(span: MetricsSpan): Pick<MetricWidget, 'annotations'> {
  if (span.baseline === 'precedingSpan')
    return { annotations: { vertical: [{ value: span.from, label: 'switch' }] } };
  if (span.baseline === 'earlierSpan') {
    const began = baselineSpanOf(span).to;
    const vertical = [
      { value: began, label: 'release began' },
      { value: span.from, label: 'bake' },
    ];
    return { annotations: { vertical } };
  }
  return {};
}

/** The instants the chart covers: the span, and the baseline's span before it (blue/green, the bake). */
export function chartTimes(span: MetricsSpan): { readonly start: number; readonly end: number } {
  const from = Date.parse(span.from);
  return { start: Math.min(from, Date.parse(baselineSpanOf(span).from)), end: Date.parse(span.to) };
}

/** The analysis' period, or a multiple of it when the span would hold more than MAX_POINTS of them. */
function chartPeriod(periodSeconds: number, spanMs: number): number {
  const period = periodSeconds * Math.max(1, Math.ceil(spanMs / 1000 / periodSeconds / MAX_POINTS));
  // CloudWatch takes 1, 5, 10, 30 or a multiple of 60.
  return period <= 60 && [1, 5, 10, 30, 60].includes(period) ? period : Math.ceil(period / 60) * 60;
}

function rowsOf(
  metric: Judged,
  index: number,
  shade: number,
  otherAxis: WidgetAxis,
  fleets: readonly AnalysedFleet[],
): WidgetMetricRow[] {
  const name = NAMES[metric.definition.name] ?? metric.definition.name;
  const [first, second] = metric.queries;
  if (first === undefined) return [];
  return fleets.flatMap((fleet): WidgetMetricRow[] => {
    const color = FLEET_COLOURS[fleet][shade % FLEET_COLOURS[fleet].length] ?? '#000000';
    const label = `${fleet} ${name}`;
    if (metric.definition.kind === 'ratio' && second !== undefined) {
      const [events, total] = [`e${index}${fleet}`, `t${index}${fleet}`];
      return [
        metricRow(first[fleet], { id: events, stat: first[fleet].stat, visible: false }),
        metricRow(second[fleet], { id: total, stat: second[fleet].stat, visible: false }),
        [
          {
            expression: `100*FILL(${events},0)/${total}`,
            id: `r${index}${fleet}`,
            label,
            color,
            yAxis: 'left',
          },
        ],
      ];
    }
    const value = `v${index}${fleet}`;
    if (metric.unit === 'seconds')
      return [
        metricRow(first[fleet], { id: value, stat: first[fleet].stat, visible: false }),
        [{ expression: `1000*${value}`, id: `l${index}${fleet}`, label, color, yAxis: otherAxis }],
      ];
    return [metricRow(first[fleet], { id: value, stat: first[fleet].stat, label, color, yAxis: otherAxis })];
  });
}

function metricRow(query: FleetQuery, options: WidgetMetricOptions): WidgetMetricRow {
  const dimensions = Object.entries(query.dimensions).flat();
  return [query.namespace, query.metricName, ...dimensions, options];
}

/**
 * The image's name and words, the same on AWS and in the sandbox: which metrics, which span, which colour is which.
 *
 * @example
 * chartDescription(metrics, span, 'orders-api 1.4.2').altText
 * // 'Line chart of canary (orange) against stable (blue): error %, p99 (ms); from 2026-12-04 10:00 to 10:05 UTC.'
 */
export function chartDescription(
  metrics: readonly AnalysedMetric[],
  span: MetricsSpan,
  title: string,
): Omit<EvidenceImage, 'png'> {
  const names = metrics
    .filter((m): m is Judged => m.role === 'judged')
    .map((m) => NAMES[m.definition.name] ?? m.definition.name);
  if (span.baseline === 'earlierSpan') {
    const before = baselineSpanOf(span);
    return {
      filename: `bake-${span.from.slice(0, 16).replace(/[-:]/g, '')}Z.png`,
      title,
      altText: `Line chart of the stable fleet (${FLEET_HUES.canary}): ${names.join(', ') || 'no judged metric'}; from ${utc(before.from)}, before the release began at ${utc(before.to, before.from)}, to the bake's end at ${utc(span.to, before.from)}.`,
    };
  }
  const fleets = FLEETS.map((fleet) => `${fleet} (${FLEET_HUES[fleet]})`).join(' against ');
  const when =
    span.baseline === 'precedingSpan'
      ? `the canary from ${utc(span.from)} to ${utc(span.to, span.from)}, stable over as long before it`
      : `from ${utc(span.from)} to ${utc(span.to, span.from)}`;
  return {
    filename: `canary-vs-stable-${span.from.slice(0, 16).replace(/[-:]/g, '')}Z.png`,
    title,
    altText: `Line chart of ${fleets}: ${names.join(', ') || 'no judged metric'}; ${when}.`,
  };
}

/** `2026-12-04 10:00`; the end of a span as `10:05 UTC`, with its date only when that differs from the start's. */
function utc(instant: string, startedAt?: string): string {
  const iso = new Date(instant).toISOString();
  if (startedAt === undefined) return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  const sameDay = new Date(startedAt).toISOString().slice(0, 10) === iso.slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

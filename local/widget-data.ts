import type {
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  type MetricWidget,
  rowOptions,
  type WidgetAxis,
  type WidgetMetricOptions,
  type WidgetMetricRow,
} from '../adapters/metric-widget';

/** Answers GetMetricData as CloudWatch would: the sandbox's stand-in, or a fake in tests. */
export type GetMetricData = (input: GetMetricDataCommandInput) => Promise<GetMetricDataCommandOutput>;

/** A series by timestamp (epoch milliseconds). */
export type Series = ReadonlyMap<number, number>;

/** One line of the chart: what the widget draws for a visible metric or expression. */
export interface ChartLine {
  readonly label: string;
  readonly color: string;
  readonly yAxis: WidgetAxis;
  /** Ascending by time. */
  readonly points: readonly (readonly [number, number])[];
}

/**
 * What CloudWatch does with a metric widget before it draws it: reads every raw metric of the widget (one
 * GetMetricData call, paged), then evaluates the metric math of each visible line. Only the arithmetic the widget
 * builder emits is understood: numbers, ids, `*`, `/` and `FILL(id, number)`.
 */
export async function widgetLines(widget: MetricWidget, getMetricData: GetMetricData): Promise<ChartLine[]> {
  const raw = widget.metrics.filter((row) => !('expression' in rowOptions(row)));
  const series = await readSeries(widget, raw, getMetricData);
  const grid = periodGrid(widget);
  return widget.metrics.flatMap((row): ChartLine[] => {
    const options = rowOptions(row);
    if ('expression' in options) {
      const values = evaluate(options.expression, series, grid);
      return [{ label: options.label, color: options.color, yAxis: options.yAxis, points: sorted(values) }];
    }
    if (options.visible === false) return [];
    return [
      {
        label: options.label ?? options.id,
        color: options.color ?? '#000000',
        yAxis: options.yAxis ?? 'left',
        points: sorted(series.get(options.id) ?? new Map()),
      },
    ];
  });
}

async function readSeries(
  widget: MetricWidget,
  rows: readonly WidgetMetricRow[],
  getMetricData: GetMetricData,
): Promise<Map<string, Series>> {
  const series = new Map<string, Map<number, number>>();
  if (rows.length === 0) return series;
  const queries = rows.map((row) => metricQuery(row, widget.period));
  let NextToken: string | undefined;
  do {
    const page = await getMetricData({
      MetricDataQueries: queries,
      StartTime: new Date(widget.start),
      EndTime: new Date(widget.end),
      ScanBy: 'TimestampAscending',
      NextToken,
    });
    for (const result of page.MetricDataResults ?? []) {
      if (result.Id === undefined) continue;
      if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError')
        throw new Error(`GetMetricData could not read ${result.Id}: ${result.StatusCode}`);
      const values = series.get(result.Id) ?? new Map<number, number>();
      (result.Values ?? []).forEach((value, i) => {
        const at = result.Timestamps?.[i]?.getTime();
        if (at !== undefined && Number.isFinite(value)) values.set(at, value);
      });
      series.set(result.Id, values);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return series;
}

/** `[namespace, metricName, dimName, dimValue, …, options]` as a GetMetricData query. */
function metricQuery(row: WidgetMetricRow, period: number): MetricDataQuery {
  const options = rowOptions(row) as WidgetMetricOptions;
  const [namespace, metricName, ...dimensions] = row.slice(0, -1) as string[];
  const Dimensions = [];
  for (let i = 0; i + 1 < dimensions.length; i += 2)
    Dimensions.push({ Name: dimensions[i], Value: dimensions[i + 1] });
  return {
    Id: options.id,
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: metricName, Dimensions },
      Period: period,
      Stat: options.stat,
    },
    ReturnData: true,
  };
}

/** Every period's timestamp in [start, end): where FILL puts a value that is missing. */
function periodGrid(widget: MetricWidget): readonly number[] {
  const grid: number[] = [];
  const step = widget.period * 1000;
  for (let at = Date.parse(widget.start); at < Date.parse(widget.end); at += step) grid.push(at);
  return grid;
}

type Value = number | Series;

/**
 * Evaluates `100*FILL(e1canary,0)/t1canary` or `1000*v2canary`: left to right, `*` and `/` of numbers and series.
 * Two series combine where both have a value, as in CloudWatch; a division by zero leaves no point.
 */
export function evaluate(
  expression: string,
  series: ReadonlyMap<string, Series>,
  grid: readonly number[],
): Series {
  const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|[*/(),]/g) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, ''))
    throw new Error(`unsupported metric math: ${expression}`);
  let at = 0;
  const next = () => tokens[at++];
  const operand = (): Value => {
    const token = next();
    if (token === undefined) throw new Error(`unexpected end of ${expression}`);
    if (/^\d/.test(token)) return Number(token);
    if (token === 'FILL') {
      if (next() !== '(') throw new Error(`FILL( expected in ${expression}`);
      const id = next() ?? '';
      const [comma, fill, close] = [next(), Number(next()), next()];
      if (comma !== ',' || close !== ')' || !Number.isFinite(fill))
        throw new Error(`bad FILL in ${expression}`);
      const known = series.get(id) ?? new Map<number, number>();
      return new Map(grid.map((t) => [t, known.get(t) ?? fill]));
    }
    if (!series.has(token)) throw new Error(`unknown id ${token} in ${expression}`);
    return series.get(token) ?? new Map<number, number>();
  };
  let value = operand();
  while (at < tokens.length) {
    const operator = next();
    if (operator !== '*' && operator !== '/')
      throw new Error(`unsupported operator ${operator} in ${expression}`);
    value = combine(value, operand(), operator);
  }
  if (typeof value === 'number') throw new Error(`${expression} draws no series`);
  return value;
}

function combine(left: Value, right: Value, operator: '*' | '/'): Value {
  const apply = (a: number, b: number) => (operator === '*' ? a * b : a / b);
  if (typeof left === 'number' && typeof right === 'number') return apply(left, right);
  const out = new Map<number, number>();
  const times = typeof left === 'number' ? [...(right as Series).keys()] : [...left.keys()];
  for (const t of times) {
    const a = typeof left === 'number' ? left : left.get(t);
    const b = typeof right === 'number' ? right : right.get(t);
    if (a === undefined || b === undefined) continue;
    const result = apply(a, b);
    if (Number.isFinite(result)) out.set(t, result);
  }
  return out;
}

function sorted(series: Series): [number, number][] {
  return [...series.entries()].sort(([a], [b]) => a - b);
}

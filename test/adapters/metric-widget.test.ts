import { describe, expect, it } from 'vitest';
import {
  chartDescription,
  FLEET_COLOURS,
  type MetricWidget,
  metricWidget,
  rowOptions,
  type WidgetExpression,
} from '../../adapters/metric-widget';
import { analysisConfigSchema } from '../../domain/analysis-config';
import { analysedMetrics } from '../../domain/analysis-queries';
import type { MetricsSpan } from '../../domain/ports';
import { ALB } from '../support/analysis';

const analysis = analysisConfigSchema.parse({
  loadBalancer: { type: 'alb', canary: ALB.canary, stable: ALB.stable },
  minimumRequests: 100,
});
const span: MetricsSpan = {
  from: '2026-12-04T10:00:00.000Z',
  to: '2026-12-04T10:30:00.000Z',
  periodSeconds: 60,
  baseline: 'sameTime',
};

const expressions = (widget: MetricWidget) =>
  widget.metrics.map(rowOptions).filter((o): o is WidgetExpression => 'expression' in o);
const rawMetrics = (widget: MetricWidget) =>
  widget.metrics.filter((row) => !('expression' in rowOptions(row)));
const optionsOf = rowOptions;

describe('metricWidget', () => {
  it('draws the error rate of each fleet as a percentage of its requests, from hidden Sum metrics', () => {
    const widget = metricWidget(analysedMetrics(analysis), span, 'orders-api 1.4.2');

    expect(widget.metrics).toContainEqual([
      'AWS/ApplicationELB',
      'HTTPCode_Target_5XX_Count',
      'LoadBalancer',
      ALB.canary.loadBalancer,
      'TargetGroup',
      ALB.canary.targetGroup,
      { id: 'e1canary', stat: 'Sum', visible: false },
    ]);
    expect(widget.metrics).toContainEqual([
      'AWS/ApplicationELB',
      'RequestCount',
      'LoadBalancer',
      ALB.stable.loadBalancer,
      'TargetGroup',
      ALB.stable.targetGroup,
      { id: 't1stable', stat: 'Sum', visible: false },
    ]);
    expect(expressions(widget).filter((e) => e.yAxis === 'left')).toEqual([
      {
        expression: '100*FILL(e1canary,0)/t1canary',
        id: 'r1canary',
        label: 'canary error %',
        color: FLEET_COLOURS.canary[0],
        yAxis: 'left',
      },
      {
        expression: '100*FILL(e1stable,0)/t1stable',
        id: 'r1stable',
        label: 'stable error %',
        color: FLEET_COLOURS.stable[0],
        yAxis: 'left',
      },
    ]);
  });

  it('draws latency in milliseconds on the right axis, and the request count not at all', () => {
    const widget = metricWidget(analysedMetrics(analysis), span, 't');

    expect(expressions(widget).filter((e) => e.yAxis === 'right')).toMatchObject([
      { expression: '1000*v2canary', label: 'canary p99 (ms)' },
      { expression: '1000*v2stable', label: 'stable p99 (ms)' },
    ]);
    expect(widget.metrics).toContainEqual([
      'AWS/ApplicationELB',
      'TargetResponseTime',
      'LoadBalancer',
      ALB.canary.loadBalancer,
      'TargetGroup',
      ALB.canary.targetGroup,
      { id: 'v2canary', stat: 'p99', visible: false },
    ]);
    expect(widget.yAxis).toEqual({
      left: { min: 0, label: '%', showUnits: false },
      right: { min: 0, label: 'ms', showUnits: false },
    });
    // requestCount sizes the sample: only the error rate's hidden total reads it.
    expect(
      rawMetrics(widget)
        .filter((row) => row[1] === 'RequestCount')
        .map((r) => optionsOf(r).id),
    ).toEqual(['t1canary', 't1stable']);
  });

  it('gives every line of a fleet a colour of its own hue, and each metric a different shade', () => {
    const widget = metricWidget(analysedMetrics(analysis), span, 't');

    for (const line of expressions(widget)) {
      const fleet = line.id.endsWith('canary') ? 'canary' : 'stable';
      expect(FLEET_COLOURS[fleet]).toContain(line.color);
    }
    const canaryColours = expressions(widget)
      .filter((e) => e.id.endsWith('canary'))
      .map((e) => e.color);
    expect(new Set(canaryColours).size).toBe(canaryColours.length);
  });

  it('covers the span at the analysis period, as a time series with its legend, in one widget', () => {
    const widget = metricWidget(analysedMetrics(analysis), span, 'orders-api 1.4.2: canary against stable');

    expect(widget).toMatchObject({
      view: 'timeSeries',
      stacked: false,
      title: 'orders-api 1.4.2: canary against stable',
      start: span.from,
      end: span.to,
      period: 60,
      width: 800,
      height: 400,
      legend: { position: 'bottom' },
    });
    expect(widget.annotations).toBeUndefined();
    expect(widget.metrics.length).toBeLessThanOrEqual(100);
  });

  it('only refers to ids it defines, each a valid metric math id', () => {
    const widget = metricWidget(analysedMetrics(analysis), span, 't');
    const ids = widget.metrics.map((row) => optionsOf(row).id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
    for (const { expression } of expressions(widget))
      for (const used of expression.match(/[a-z][a-zA-Z0-9_]*/g)?.filter((w) => w !== 'FILL') ?? [])
        expect(ids).toContain(used);
  });

  it('for blue/green, starts as long before the switch as the span lasts, and marks the switch', () => {
    const widget = metricWidget(analysedMetrics(analysis), { ...span, baseline: 'precedingSpan' }, 't');

    expect(widget.start).toBe('2026-12-04T09:30:00.000Z');
    expect(widget.end).toBe(span.to);
    expect(widget.annotations).toEqual({ vertical: [{ value: span.from, label: 'switch' }] });
  });

  it('for the bake, draws the one fleet from before the release to the end of the bake, marking both', () => {
    const bakeSpan = {
      ...span,
      baseline: 'earlierSpan',
      baselineSpan: { from: '2026-12-04T08:00:00.000Z', to: '2026-12-04T08:30:00.000Z' },
    } as const;
    const fleet = analysedMetrics(analysis, { canary: 'stable', stable: 'stable' });
    const widget = metricWidget(fleet, bakeSpan, 't');

    expect(widget.start).toBe('2026-12-04T08:00:00.000Z');
    expect(widget.end).toBe(span.to);
    expect(widget.annotations).toEqual({
      vertical: [
        { value: '2026-12-04T08:30:00.000Z', label: 'release began' },
        { value: span.from, label: 'bake' },
      ],
    });
    expect(JSON.stringify(widget.metrics)).not.toContain('stable ');
    expect(chartDescription(fleet, bakeSpan, 't').altText).toBe(
      "Line chart of the stable fleet (orange): error %, p99 (ms); from 2026-12-04 08:00, before the release began at 08:30 UTC, to the bake's end at 10:30 UTC.",
    );
  });

  it('grows the period of a long span instead of asking for more points than the picture has room for', () => {
    const twoDays = { ...span, to: '2026-12-06T10:00:00.000Z' };

    expect(metricWidget(analysedMetrics(analysis), twoDays, 't').period).toBe(240);
    expect(metricWidget(analysedMetrics(analysis), { ...span, periodSeconds: 10 }, 't').period).toBe(10);
  });

  it('puts custom metrics on the left axis, as they are, when no error rate is drawn', () => {
    const custom = analysisConfigSchema.parse({
      ...analysis,
      metrics: [
        { preset: 'requestCount' },
        {
          name: 'queueDepth',
          namespace: 'Orders',
          metricName: 'QueueDepth',
          stat: 'Maximum',
          dimensions: { Fleet: '{fleet}' },
          badDirection: 'up',
          tolerance: 0.2,
          critical: false,
          weight: 1,
        },
      ],
    });
    const widget = metricWidget(analysedMetrics(custom), span, 't');

    expect(widget.metrics).toEqual([
      [
        'Orders',
        'QueueDepth',
        'Fleet',
        'canary',
        {
          id: 'v1canary',
          stat: 'Maximum',
          label: 'canary queueDepth',
          color: FLEET_COLOURS.canary[0],
          yAxis: 'left',
        },
      ],
      [
        'Orders',
        'QueueDepth',
        'Fleet',
        'stable',
        {
          id: 'v1stable',
          stat: 'Maximum',
          label: 'stable queueDepth',
          color: FLEET_COLOURS.stable[0],
          yAxis: 'left',
        },
      ],
    ]);
    expect(widget.yAxis).toEqual({ left: { min: 0, label: '', showUnits: false } });
  });
});

describe('chartDescription', () => {
  it('names the metrics, the colours and the span, for screen readers', () => {
    const described = chartDescription(analysedMetrics(analysis), span, 'orders-api 1.4.2');

    expect(described).toEqual({
      filename: 'canary-vs-stable-20261204T1000Z.png',
      title: 'orders-api 1.4.2',
      altText:
        'Line chart of canary (orange) against stable (blue): error %, p99 (ms); from 2026-12-04 10:00 to 10:30 UTC.',
    });
  });

  it('says that blue/green compares with the span before the switch', () => {
    const described = chartDescription(
      analysedMetrics(analysis),
      { ...span, baseline: 'precedingSpan' },
      't',
    );

    expect(described.altText).toContain(
      'the canary from 2026-12-04 10:00 to 10:30 UTC, stable over as long before it',
    );
  });
});

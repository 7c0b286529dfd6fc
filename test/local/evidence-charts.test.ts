import type { GetMetricDataCommandInput, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { FLEET_COLOURS, metricWidget } from '../../adapters/metric-widget';
import { analysisConfigSchema } from '../../domain/analysis-config';
import { analysedMetrics } from '../../domain/analysis-queries';
import type { MetricsSpan } from '../../domain/ports';
import { localEvidenceCharts } from '../../local/evidence-charts';
import { evaluate, widgetLines } from '../../local/widget-data';
import { ALB } from '../support/analysis';
import { decodePng, PNG_SIGNATURE, pixelsOf } from '../support/png';

const metrics = analysedMetrics(
  analysisConfigSchema.parse({
    loadBalancer: { type: 'alb', canary: ALB.canary, stable: ALB.stable },
    minimumRequests: 100,
  }),
);
const span: MetricsSpan = {
  from: '2026-12-04T10:00:00.000Z',
  to: '2026-12-04T10:10:00.000Z',
  periodSeconds: 60,
  baseline: 'sameTime',
};
const FROM = Date.parse(span.from);
const minute = (i: number) => FROM + i * 60_000;

interface Fleet {
  readonly requests: number;
  /** 5XX per minute; a minute with 0 has no datapoint, as ALB publishes none. */
  readonly errors: (minute: number) => number;
  readonly p99: number;
}
const stable: Fleet = { requests: 900, errors: () => 1, p99: 0.2 };

/**
 * GetMetricData as CloudWatch answers it: per query a result with its Id, Timestamps, Values and StatusCode, one
 * datapoint per minute over [StartTime, EndTime), and no datapoint for a count that is zero.
 */
function fakeGetMetricData(canary: Fleet, calls: GetMetricDataCommandInput[] = []) {
  return async (input: GetMetricDataCommandInput): Promise<GetMetricDataCommandOutput> => {
    calls.push(input);
    const results = (input.MetricDataQueries ?? []).map((query) => {
      const fleet = query.Id?.endsWith('canary') ? canary : stable;
      const name = query.MetricStat?.Metric?.MetricName;
      const points: [Date, number][] = [];
      for (
        let t = input.StartTime?.getTime() ?? 0, i = 0;
        t < (input.EndTime?.getTime() ?? 0);
        t += 60_000, i++
      ) {
        const value =
          name === 'RequestCount'
            ? fleet.requests
            : name === 'HTTPCode_Target_5XX_Count'
              ? fleet.errors(i)
              : fleet.p99;
        if (value > 0) points.push([new Date(t), value]);
      }
      return {
        Id: query.Id,
        Label: query.Id,
        Timestamps: points.map(([t]) => t),
        Values: points.map(([, v]) => v),
        StatusCode: 'Complete' as const,
      };
    });
    return { MetricDataResults: results, Messages: [], $metadata: {} };
  };
}

describe('widgetLines', () => {
  it('reads every raw metric of the widget in one GetMetricData call over its span, at its period', async () => {
    const calls: GetMetricDataCommandInput[] = [];
    const widget = metricWidget(metrics, { ...span, baseline: 'precedingSpan' }, 't');

    await widgetLines(widget, fakeGetMetricData({ ...stable, p99: 0.3 }, calls));

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      StartTime: new Date('2026-12-04T09:50:00.000Z'),
      EndTime: new Date(span.to),
      ScanBy: 'TimestampAscending',
    });
    expect(calls[0]?.MetricDataQueries?.map((q) => q.Id)).toEqual([
      'e1canary',
      't1canary',
      'e1stable',
      't1stable',
      'v2canary',
      'v2stable',
    ]);
    expect(calls[0]?.MetricDataQueries?.[0]).toEqual({
      Id: 'e1canary',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          Dimensions: [
            { Name: 'LoadBalancer', Value: ALB.canary.loadBalancer },
            { Name: 'TargetGroup', Value: ALB.canary.targetGroup },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
      ReturnData: true,
    });
  });

  it('draws errors as a percentage of requests, 0 in a minute without errors, and latency in ms', async () => {
    const canary: Fleet = { requests: 100, errors: (i) => (i === 3 ? 0 : 2), p99: 0.25 };

    const lines = await widgetLines(metricWidget(metrics, span, 't'), fakeGetMetricData(canary));

    const byLabel = Object.fromEntries(lines.map((line) => [line.label, line.points]));
    expect(Object.keys(byLabel)).toEqual([
      'canary error %',
      'stable error %',
      'canary p99 (ms)',
      'stable p99 (ms)',
    ]);
    expect(byLabel['canary error %']?.slice(2, 5)).toEqual([
      [minute(2), 2],
      [minute(3), 0],
      [minute(4), 2],
    ]);
    expect(byLabel['stable error %']?.[0]?.[1]).toBeCloseTo(100 / 900);
    expect(byLabel['canary p99 (ms)']?.[0]).toEqual([minute(0), 250]);
    expect(byLabel['canary p99 (ms)']).toHaveLength(10);
  });

  it('throws when CloudWatch cannot read a metric, as GetMetricWidgetImage would fail', async () => {
    const forbidden = async (): Promise<GetMetricDataCommandOutput> => ({
      MetricDataResults: [{ Id: 'e1canary', StatusCode: 'Forbidden', Timestamps: [], Values: [] }],
      $metadata: {},
    });

    await expect(widgetLines(metricWidget(metrics, span, 't'), forbidden)).rejects.toThrow('Forbidden');
  });
});

describe('evaluate', () => {
  const grid = [0, 60_000, 120_000];
  const series = new Map([
    ['e', new Map([[60_000, 3]])],
    [
      't',
      new Map([
        [0, 100],
        [60_000, 0],
        [120_000, 50],
      ]),
    ],
  ]);

  it('fills missing values on the period grid, and leaves no point where it would divide by zero', () => {
    expect([...evaluate('100*FILL(e,0)/t', series, grid)]).toEqual([
      [0, 0],
      [120_000, 0],
    ]);
    expect([...evaluate('1000*e', series, grid)]).toEqual([[60_000, 3000]]);
  });

  it('refuses metric math it does not understand rather than drawing something else', () => {
    expect(() => evaluate('SUM(METRICS())', series, grid)).toThrow();
    expect(() => evaluate('100*e+t', series, grid)).toThrow('unsupported');
    expect(() => evaluate('100*x', series, grid)).toThrow('unknown id x');
  });
});

describe('localEvidenceCharts', () => {
  const chart = (canary: Fleet, when: MetricsSpan = span) =>
    localEvidenceCharts({ getMetricData: fakeGetMetricData(canary) }).draw(metrics, when, 'orders-api 1.4.2');

  it('draws a PNG of the widget size, named and described like the CloudWatch one', async () => {
    const image = await chart({ requests: 100, errors: () => 2, p99: 0.3 });

    expect([...image.png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(decodePng(image.png)).toMatchObject({ width: 800, height: 400 });
    expect(image).toMatchObject({
      filename: 'canary-vs-stable-20261204T1000Z.png',
      title: 'orders-api 1.4.2',
      altText: expect.stringContaining('error %, p99 (ms)'),
    });
  });

  it('draws a slower canary above stable, and a different picture than a canary like stable', async () => {
    const [like, slower] = await Promise.all([
      chart({ requests: 100, errors: () => 1, p99: 0.2 }),
      chart({ requests: 100, errors: () => 1, p99: 0.4 }),
    ]);

    const picture = decodePng(slower.png);
    const plotOnly = picture.height - 60; // above the time axis' labels and the legend
    const canaryP99 = pixelsOf(picture, FLEET_COLOURS.canary[1] ?? '', plotOnly);
    const stableP99 = pixelsOf(picture, FLEET_COLOURS.stable[1] ?? '', plotOnly);
    expect(canaryP99.count).toBeGreaterThan(100);
    expect(canaryP99.meanY).toBeLessThan(stableP99.meanY - 50);
    expect(Buffer.from(decodePng(like.png).rgba).equals(Buffer.from(picture.rgba))).toBe(false);
  });

  it('writes the text with the installed font (the title is drawn, not left blank)', async () => {
    const image = decodePng((await chart({ requests: 100, errors: () => 1, p99: 0.2 })).png);

    const titleBand = image.rgba.subarray(0, image.width * 4 * 30);
    let dark = 0;
    for (let i = 0; i < titleBand.length; i += 4) if ((titleBand[i] ?? 255) < 100) dark++;
    expect(dark).toBeGreaterThan(200);
  });

  it('for blue/green, draws stable before the switch and the canary after it', async () => {
    const image = await chart(
      { requests: 100, errors: () => 1, p99: 0.2 },
      { ...span, baseline: 'precedingSpan' },
    );

    const picture = decodePng(image.png);
    const columnsOf = (hex: string) => {
      const xs: number[] = [];
      for (let i = 0; i < picture.rgba.length; i += 4) {
        const y = Math.floor(i / 4 / picture.width);
        const [r, g, b] = [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16));
        if (
          y < picture.height - 60 &&
          picture.rgba[i] === r &&
          picture.rgba[i + 1] === g &&
          picture.rgba[i + 2] === b
        )
          xs.push((i / 4) % picture.width);
      }
      return { min: Math.min(...xs), max: Math.max(...xs) };
    };
    const canary = columnsOf(FLEET_COLOURS.canary[1] ?? '');
    const stableLine = columnsOf(FLEET_COLOURS.stable[1] ?? '');
    expect(stableLine.max).toBeLessThan(canary.min);
  });
});

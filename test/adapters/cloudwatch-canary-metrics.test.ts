import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchCanaryMetrics } from '../../adapters/cloudwatch-canary-metrics';
import { analysisConfigSchema } from '../../domain/analysis-config';
import { analysedMetrics } from '../../domain/analysis-queries';
import { judge } from '../../domain/judge';
import { holdToContract } from '../support/aws-contract';

const cloudWatch = mockClient(CloudWatchClient);
holdToContract('cloudWatch', cloudWatch);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => cloudWatch.restore());
const metrics = cloudWatchCanaryMetrics(new CloudWatchClient({}));
const analysis = analysisConfigSchema.parse({
  loadBalancer: {
    type: 'alb',
    canary: {
      loadBalancer: 'app/orders-canary/50dc6c495c0c9188',
      targetGroup: 'targetgroup/orders-canary/73e2d6bc24d8a067',
    },
    stable: {
      loadBalancer: 'app/orders/0123456789abcdef',
      targetGroup: 'targetgroup/orders-blue/0000000000000b1e',
    },
  },
  minimumRequests: 100,
});
const span = {
  from: '2026-12-04T10:00:00.000Z',
  to: '2026-12-04T10:05:00.000Z',
  periodSeconds: 60,
  baseline: 'sameTime',
} as const;

/** A GetMetricData result as CloudWatch documents it: an id, its datapoints' timestamps and values, a status. */
const result = (Id: string, Values: number[]) => ({
  Id,
  Label: Id,
  Timestamps: Values.map((_, i) => new Date(Date.parse(span.from) + i * 60_000)),
  Values,
  StatusCode: 'Complete' as const,
});

beforeEach(() => cloudWatch.reset());

describe('cloudWatchCanaryMetrics', () => {
  it('reads every metric of both fleets in one GetMetricData call, by target group, one datapoint per period', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [], Messages: [] });

    await metrics.read(analysedMetrics(analysis), span);

    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    // requestCount, errorRate's 5XX and latencyP99, each for the canary and the stable fleet: the error rate's
    // request count is requestCount itself, asked for once (CloudWatch charges per metric requested).
    expect(input?.MetricDataQueries?.map((q) => q.Id)).toEqual([
      'm0q0canary',
      'm0q0stable',
      'm1q0canary',
      'm1q0stable',
      'm2q0canary',
      'm2q0stable',
    ]);
    expect(input?.MetricDataQueries?.[0]).toEqual({
      Id: 'm0q0canary',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'RequestCount',
          Dimensions: [
            { Name: 'LoadBalancer', Value: 'app/orders-canary/50dc6c495c0c9188' },
            { Name: 'TargetGroup', Value: 'targetgroup/orders-canary/73e2d6bc24d8a067' },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
      ReturnData: true,
    });
    expect(input).toMatchObject({ StartTime: new Date(span.from), EndTime: new Date(span.to) });
    for (const query of input?.MetricDataQueries ?? [])
      expect(query.Id).toMatch(/^[a-z][a-zA-Z0-9_]{0,254}$/);
  });

  it('sums counts for ratios, keeps per-period values for distributions, follows NextToken, and feeds the judge', async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          result('m0q0canary', [200, 220]),
          result('m1q0canary', [9, 11]),
          { ...result('m2q0canary', [0.21, 0.24]), StatusCode: 'PartialData' },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          result('m1q0stable', [1, 0]),
          result('m0q0stable', [2000, 2100]),
          result('m2q0canary', [0.22, 0.25, 0.23]),
          result('m2q0stable', [0.08, 0.07, 0.09, 0.08, 0.07]),
        ],
      });

    const read = await metrics.read(analysedMetrics(analysis), span);

    expect(cloudWatch).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'page-2' });
    expect(read).toMatchObject({ canaryRequests: 420, stableRequests: 4100 });
    expect(read.data.errorRate).toEqual({
      kind: 'ratio',
      canary: { events: 20, total: 420 },
      stable: { events: 1, total: 4100 },
    });
    expect(read.data.latencyP99).toEqual({
      kind: 'distribution',
      canary: [0.21, 0.24, 0.22, 0.25, 0.23],
      stable: [0.08, 0.07, 0.09, 0.08, 0.07],
    });
    const definitions = analysedMetrics(analysis).flatMap((m) => (m.role === 'judged' ? [m.definition] : []));
    const settings = { minimumRequests: 100, thresholds: analysis.thresholds, alpha: analysis.alpha };
    expect(judge({ metrics: definitions, ...read, settings }).verdict).toBe('fail');
  });

  it("sizes a group's sample by its least-served canary, each member's requests read on their own", async () => {
    const [requests] = analysedMetrics(analysis);
    if (requests?.role !== 'sampleSize') throw new Error('requestCount comes first');
    const twoMembers = [
      { ...requests, name: 'orders-api requestCount' },
      {
        ...requests,
        name: 'payments requestCount',
        queries: {
          canary: {
            ...requests.queries.canary,
            dimensions: { LoadBalancer: 'app/payments-canary/0000000000000001' },
          },
          stable: {
            ...requests.queries.stable,
            dimensions: { LoadBalancer: 'app/payments/0000000000000002' },
          },
        },
      },
    ];
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        result('m0q0canary', [200, 220]),
        result('m0q0stable', [2000, 2100]),
        result('m1q0canary', [40, 50]),
        result('m1q0stable', [900, 1000]),
      ],
    });

    const read = await metrics.read(twoMembers, span);

    expect(read).toMatchObject({ canaryRequests: 90, stableRequests: 1900 });
  });

  it("reads blue/green's old colour over the span before the switch, in the same call", async () => {
    const at = (minute: number) => new Date(Date.parse(span.from) + minute * 60_000);
    const points = (Id: string, minutes: number[], value: number) => ({
      Id,
      Timestamps: minutes.map(at),
      Values: minutes.map(() => value),
      StatusCode: 'Complete' as const,
    });
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        // Each fleet's datapoints over the whole call: only its own span's count.
        points('m0q0canary', [-2, -1, 0, 1, 2], 100),
        points('m0q0stable', [-5, -4, -3, -2, -1, 0, 1], 1000),
      ],
    });

    const read = await metrics.read(analysedMetrics(analysis), { ...span, baseline: 'precedingSpan' });

    expect(cloudWatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: at(-5),
      EndTime: new Date(span.to),
    });
    expect(read).toMatchObject({ canaryRequests: 300, stableRequests: 5000 });
  });

  it("reads the bake's fleet twice over, now and before the release, in one call and without merging the sides", async () => {
    const at = (minute: number) => new Date(Date.parse(span.from) + minute * 60_000);
    const points = (Id: string, minutes: number[], value: number) => ({
      Id,
      Timestamps: minutes.map(at),
      Values: minutes.map(() => value),
      StatusCode: 'Complete' as const,
    });
    // The bake reads the stable fleet on both sides: now (10:00-10:05) and 10:00 before the release (08:50-08:55).
    const fleet = analysedMetrics(analysis, { canary: 'stable', stable: 'stable' });
    const before = { from: at(-70).toISOString(), to: at(-65).toISOString() };
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        points('m0q0canary', [-70, -66, -30, 0, 1, 2], 100),
        points('m0q0stable', [-70, -69, -68, -66, -30, 0], 1000),
      ],
    });

    const read = await metrics.read(fleet, { ...span, baseline: 'earlierSpan', baselineSpan: before });

    const request = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(request).toMatchObject({ StartTime: at(-70), EndTime: new Date(span.to) });
    const ids = request?.MetricDataQueries?.map((q) => q.Id) ?? [];
    expect(ids).toEqual(expect.arrayContaining(['m0q0canary', 'm0q0stable']));
    expect(read).toMatchObject({ canaryRequests: 300, stableRequests: 4000 });
  });

  it('throws when CloudWatch cannot read a metric, so that a failed read is retried and never passes', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'm0q0canary', Timestamps: [], Values: [], StatusCode: 'Forbidden' }],
    });

    await expect(metrics.read(analysedMetrics(analysis), span)).rejects.toThrow(/m0q0canary: Forbidden/);
  });
});

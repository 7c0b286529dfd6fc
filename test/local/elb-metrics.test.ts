import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { cloudWatchCanaryMetrics } from '../../adapters/cloudwatch-canary-metrics';
import { analysisConfigSchema } from '../../domain/analysis-config';
import { analysedMetrics } from '../../domain/analysis-queries';
import type { LoadBalancerRecord } from '../../local/load-balancer';
import { SANDBOX_ELB_DIMENSIONS } from '../../local/sandbox-config';
import {
  type MeteredFleet,
  sandboxAnalysisLoadBalancer,
  sandboxCloudWatch,
} from '../../local/sandbox-metrics';

/** The sandbox's dimensions: the service's ELB split by the colour of the host that answered, the canary ELB whole. */
const T0 = Date.parse('2026-12-04T10:00:00.000Z');
const record = (ms: number, host: string, status = 200): LoadBalancerRecord => ({
  atMs: T0 + ms,
  latencyMs: 5,
  status,
  target: { host, port: 8000 },
});
const fleet: MeteredFleet = {
  hosts: () => [
    { fleet: 'blue', address: '127.9.0.11' },
    { fleet: 'green', address: '127.9.0.31' },
    { fleet: 'canary', address: '127.9.0.21' },
  ],
  stableLb: {
    records: () => [record(0, '127.9.0.11'), record(100, '127.9.0.11'), record(200, '127.9.0.31')],
  },
  canaryLb: { records: () => [record(0, '127.9.0.21', 500), record(1_100, '127.9.0.21')] },
};
const cloudWatch = sandboxCloudWatch(fleet);
afterEach(() => cloudWatch.stop());

describe('the sandbox metrics', () => {
  it('gives each colour its target group and the canary ELB its own', async () => {
    await cloudWatch.start();
    const { stable, canary } = SANDBOX_ELB_DIMENSIONS;
    const count = (Id: string, LoadBalancer: string, TargetGroup: string) => ({
      Id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'RequestCount',
          Dimensions: [
            { Name: 'LoadBalancer', Value: LoadBalancer },
            { Name: 'TargetGroup', Value: TargetGroup },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      },
    });
    const answer = await cloudWatch.client().send(
      new GetMetricDataCommand({
        MetricDataQueries: [
          count('blue', stable.loadBalancer, stable.blue),
          count('green', stable.loadBalancer, stable.green),
          count('canary', canary.loadBalancer, canary.targetGroup),
        ],
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 60_000),
      }),
    );
    expect(answer.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([
      ['blue', [2]],
      ['green', [1]],
      ['canary', [2]],
    ]);
  });

  it('is what an analysis config of the sandbox names, read by the real adapter', async () => {
    await cloudWatch.start();
    const analysis = analysisConfigSchema.parse({
      loadBalancer: sandboxAnalysisLoadBalancer('blue'),
      minimumRequests: 1,
    });
    const reading = await cloudWatchCanaryMetrics(cloudWatch.client()).read(analysedMetrics(analysis), {
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 2_000).toISOString(),
      periodSeconds: 1,
      baseline: 'sameTime',
    });
    expect(reading.canaryRequests).toBe(2);
    expect(reading.data.errorRate).toEqual({
      kind: 'ratio',
      canary: { events: 1, total: 2 },
      stable: { events: 0, total: 2 },
    });
  });
});

import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readPathCounts } from '../../adapters/cloudwatch-path-counts';
import { holdToContract } from '../support/aws-contract';

const cloudWatch = mockClient(CloudWatchClient);
holdToContract('cloudWatch', cloudWatch);
afterAll(() => cloudWatch.restore());
beforeEach(() => cloudWatch.reset());

const span = { from: '2026-12-04T10:00:00.000Z', to: '2026-12-04T10:12:30.000Z' };
const result = (Id: string, Values: number[]) => ({
  Id,
  Label: Id,
  Timestamps: Values.map((_, i) => new Date(Date.parse(span.from) + i * 780_000)),
  Values,
  StatusCode: 'Complete' as const,
});

describe('readPathCounts', () => {
  it("reads each member's tagged and untagged canary requests in one call, one period over the whole span", async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [result('t0', [120]), result('u0', [118])], NextToken: 'page-2' })
      .resolvesOnce({ MetricDataResults: [result('t1', [117, 3]), result('u1', [])] });

    const counts = await readPathCounts(new CloudWatchClient({}), ['front', 'payments'], span);

    expect(counts).toEqual({ front: { tagged: 120, untagged: 118 }, payments: { tagged: 120, untagged: 0 } });
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(
      input?.MetricDataQueries?.map((q) => [q.Id, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Period]),
    ).toEqual([
      ['t0', 'TaggedToCanary', 780],
      ['u0', 'UntaggedToCanary', 780],
      ['t1', 'TaggedToCanary', 780],
      ['u1', 'UntaggedToCanary', 780],
    ]);
    expect(input?.MetricDataQueries?.[2]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'Service', Value: 'payments' },
    ]);
    expect(cloudWatch).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'page-2' });
  });

  it('throws when CloudWatch cannot read a series, so the count is retried rather than shown as zero', async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolves({ MetricDataResults: [{ ...result('t0', []), StatusCode: 'Forbidden' }] });
    await expect(readPathCounts(new CloudWatchClient({}), ['front'], span)).rejects.toThrow('t0: Forbidden');
  });
});

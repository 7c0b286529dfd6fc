import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchStandin } from '../../local/cloudwatch-standin';
import { albSources } from '../../local/elb-metrics';
import type { LoadBalancerRecord } from '../../local/load-balancer';

/**
 * The local GetMetricData, asked by the real CloudWatchClient over loopback HTTP (AWS JSON 1.0): datapoints as
 * CloudWatch documents them, from the records of a load balancer with two target groups.
 */
const T0 = Date.parse('2026-12-04T10:00:00.000Z');
const LB = 'app/orders-api/0123456789abcdef';
const BLUE = 'targetgroup/orders-api-blue/0000000000000b1e';
const GREEN = 'targetgroup/orders-api-green/00000000000009ee';
const blue = { host: '127.0.0.10', port: 8000 };
const green = { host: '127.0.0.30', port: 8000 };
const at = (ms: number, status: number, latencyMs: number, target = blue): LoadBalancerRecord => ({
  atMs: T0 + ms,
  latencyMs,
  status,
  target,
});
const records: LoadBalancerRecord[] = [
  at(-1, 200, 1), // before StartTime, in the period before it
  at(0, 200, 10), // exactly at StartTime: counted
  at(400, 500, 20),
  at(999, 200, 30),
  at(1_000, 200, 40, green), // the other colour
  at(2_500, 200, 50),
  { atMs: T0 + 2_600, latencyMs: 1, status: 502 }, // the load balancer's own answer: no target
  at(3_000, 500, 60), // exactly at EndTime: not counted
];
const standin = cloudWatchStandin({
  sources: () =>
    albSources({ records: () => records }, LB, [
      { targetGroup: BLUE, has: (t) => t.host === blue.host },
      { targetGroup: GREEN, has: (t) => t.host === green.host },
    ]),
});
let client: CloudWatchClient;
beforeAll(async () => {
  await standin.start();
  client = standin.client();
});
afterAll(() => standin.stop());

const query = (
  Id: string,
  MetricName: string,
  Stat: string,
  dimensions: Record<string, string> = { LoadBalancer: LB, TargetGroup: BLUE },
  Period = 1,
): MetricDataQuery => ({
  Id,
  MetricStat: {
    Metric: {
      Namespace: 'AWS/ApplicationELB',
      MetricName,
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period,
    Stat,
  },
  ReturnData: true,
});
const read = (MetricDataQueries: MetricDataQuery[], extra: Partial<GetMetricDataCommandInput> = {}) =>
  client.send(
    new GetMetricDataCommand({
      MetricDataQueries,
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 3_000),
      ScanBy: 'TimestampAscending',
      ...extra,
    }),
  );
const seconds = (...offsets: number[]) => offsets.map((s) => new Date(T0 + s * 1_000));

describe('the local GetMetricData', () => {
  it('answers per period, aligned to period starts: sums, no datapoint without requests, latency in seconds', async () => {
    const answer = await read([
      query('requests', 'RequestCount', 'Sum'),
      query('errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
      query('p50', 'TargetResponseTime', 'p50'),
      { ...query('p99', 'TargetResponseTime', 'p99'), Label: 'slowest' },
    ]);

    expect(answer.Messages).toEqual([]);
    expect(answer.NextToken).toBeUndefined();
    expect(answer.MetricDataResults).toEqual([
      {
        Id: 'requests',
        Label: 'RequestCount',
        Timestamps: seconds(0, 2),
        Values: [3, 1],
        StatusCode: 'Complete',
      },
      {
        Id: 'errors',
        Label: 'HTTPCode_Target_5XX_Count',
        Timestamps: seconds(0),
        Values: [1],
        StatusCode: 'Complete',
      },
      {
        Id: 'p50',
        Label: 'TargetResponseTime',
        Timestamps: seconds(0, 2),
        Values: [0.02, 0.05],
        StatusCode: 'Complete',
      },
      {
        Id: 'p99',
        Label: 'slowest',
        Timestamps: seconds(0, 2),
        Values: [0.03, 0.05],
        StatusCode: 'Complete',
      },
    ]);
  });

  it('matches the dimensions exactly: each target group its own, the load balancer alone everything', async () => {
    const answer = await read([
      query('green', 'RequestCount', 'Sum', { TargetGroup: GREEN, LoadBalancer: LB }),
      query('all', 'RequestCount', 'Sum', { LoadBalancer: LB }),
      query('elb', 'HTTPCode_ELB_5XX_Count', 'Sum', { LoadBalancer: LB }),
      query('elbbytg', 'HTTPCode_ELB_5XX_Count', 'Sum'),
      query('unknown', 'RequestCount', 'Sum', { LoadBalancer: 'app/other/0123456789abcdef' }),
    ]);
    const byId = Object.fromEntries((answer.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    expect(byId).toEqual({ green: [1], all: [3, 1, 1], elb: [1], elbbytg: [], unknown: [] });
  });

  it('rounds StartTime down to the period, returns newest first unless asked, and leaves out ReturnData false', async () => {
    const answer = await read(
      [
        query('fives', 'RequestCount', 'Sum', undefined, 5),
        { ...query('hidden', 'RequestCount', 'Sum'), ReturnData: false },
        query('newest', 'RequestCount', 'Sum'),
      ],
      { StartTime: new Date(T0 + 700), EndTime: new Date(T0 + 2_800), ScanBy: undefined },
    );
    expect(answer.MetricDataResults?.map((r) => [r.Id, r.Timestamps, r.Values])).toEqual([
      // A 5-s period from 10:00:00 (the whole period, as CloudWatch aggregates it), the one record before excluded.
      ['fives', seconds(0), [5]],
      ['newest', seconds(2, 0), [1, 3]],
    ]);
  });

  it('pages past MaxDatapoints with a NextToken, a result cut short being PartialData', async () => {
    const queries = [query('a', 'RequestCount', 'Sum'), query('b', 'TargetResponseTime', 'Maximum')];
    const first = await read(queries, { MaxDatapoints: 3 });
    expect(first.MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode])).toEqual([
      ['a', [3, 1], 'Complete'],
      ['b', [0.03], 'PartialData'],
    ]);
    const second = await read(queries, { MaxDatapoints: 3, NextToken: first.NextToken });
    expect(second.MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode])).toEqual([
      ['a', [], 'Complete'],
      ['b', [0.05], 'Complete'],
    ]);
    expect(second.NextToken).toBeUndefined();
  });

  it('refuses what CloudWatch refuses, with its error names and codes', async () => {
    const refusal = (
      input: Partial<GetMetricDataCommandInput>,
      queries = [query('a', 'RequestCount', 'Sum')],
    ) =>
      read(queries, input).then(
        () => 'answered',
        (error: { name: string; Code?: string; $metadata?: { httpStatusCode?: number } }) =>
          `${error.name} ${error.Code} ${error.$metadata?.httpStatusCode}`,
      );
    expect(await refusal({ EndTime: new Date(T0) })).toBe(
      'InvalidParameterValueException InvalidParameterValue 400',
    );
    expect(await refusal({}, [query('A', 'RequestCount', 'Sum')])).toMatch(/^InvalidParameterValueException/);
    expect(await refusal({}, [query('a', 'RequestCount', 'Sum'), query('a', 'RequestCount', 'Sum')])).toMatch(
      /^InvalidParameterValueException/,
    );
    expect(await refusal({}, [query('a', 'RequestCount', 'Sum', undefined, 7)])).toMatch(
      /^InvalidParameterValueException/,
    );
    expect(await refusal({}, [query('a', 'RequestCount', 'Median')])).toMatch(
      /^InvalidParameterValueException/,
    );
    expect(await refusal({}, [{ Id: 'm', Expression: 'SUM(METRICS())' }])).toBe(
      'InvalidParameterCombinationException InvalidParameterCombination 400',
    );
    expect(await refusal({ NextToken: 'not-a-token' })).toBe('InvalidNextToken InvalidNextToken 400');
  });

  it('answers an awsQuery form request with an error rather than a guess', async () => {
    const response = await fetch(standin.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetMetricData&Version=2010-08-01',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-query-error')).toBe('InvalidParameterValue;Sender');
  });
});

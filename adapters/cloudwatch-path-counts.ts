import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { TimeSpan } from '../domain/canary-analysis';
import type { PathCount } from '../domain/group';

/**
 * The metrics a routing proxy's canary log becomes on a host (docs/deploy.md, "Path counts"): one line per request
 * sent to the canary, counted by a metric filter on whether it arrived tagged.
 */
export const PATH_METRICS = {
  namespace: 'CanaryAgent',
  tagged: 'TaggedToCanary',
  untagged: 'UntaggedToCanary',
} as const;

/**
 * Each service's path counts over the span, in one GetMetricData call (two queries a service): one period as long as
 * the span (whole minutes), summed, so a long release costs no more datapoints than a short one.
 */
export async function readPathCounts(
  client: CloudWatchClient,
  services: readonly string[],
  span: TimeSpan,
): Promise<Readonly<Record<string, PathCount>>> {
  const from = Date.parse(span.from);
  const to = Math.max(Date.parse(span.to), from + 60_000);
  const Period = Math.ceil((to - from) / 60_000) * 60;
  const query = (Id: string, MetricName: string, service: string): MetricDataQuery => ({
    Id,
    MetricStat: {
      Metric: {
        Namespace: PATH_METRICS.namespace,
        MetricName,
        Dimensions: [{ Name: 'Service', Value: service }],
      },
      Period,
      Stat: 'Sum',
    },
    ReturnData: true,
  });
  const queries = services.flatMap((service, i) => [
    query(`t${i}`, PATH_METRICS.tagged, service),
    query(`u${i}`, PATH_METRICS.untagged, service),
  ]);
  const sums = new Map<string, number>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(from),
        EndTime: new Date(to),
        NextToken,
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError')
        throw new Error(`GetMetricData could not read ${result.Id}: ${result.StatusCode}`);
      const total = (result.Values ?? []).filter(Number.isFinite).reduce((a, b) => a + b, 0);
      if (result.Id) sums.set(result.Id, (sums.get(result.Id) ?? 0) + total);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return Object.fromEntries(
    services.map((service, i) => [
      service,
      { tagged: sums.get(`t${i}`) ?? 0, untagged: sums.get(`u${i}`) ?? 0 },
    ]),
  );
}

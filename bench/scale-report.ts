/** The scale simulation's figures: calls per simulated minute against quotas, Slack, the storm, storage, cost. */
import { median, percentile, table } from './bench-table';
import { ON_DEMAND_PRICES } from './release-figures';
import type { StoredFootprint } from './scale-dynamo';
import {
  AWS_QUOTAS,
  DYNAMO,
  POST_MESSAGE_PER_CHANNEL_PER_SECOND,
  SLACK_PER_MINUTE,
  UNPUBLISHED,
} from './scale-quotas';
import type { Observed } from './scale-scenario';
import type { Counter } from './scale-world';

export interface RunFigures {
  readonly counter: Counter;
  readonly channels: Counter;
  readonly observed: Observed;
  readonly minutes: number;
  readonly footprint: StoredFootprint;
  readonly dynamo: { wcu: number; rcu: number; requests: number };
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const seriesNamed = (counter: Counter, prefix: string) =>
  [...counter.perSecond.keys()].filter((api) => api.startsWith(prefix)).sort();

/** AWS calls per API: mean and busiest simulated minute, busiest second, against the default quota. */
export function printAws({ counter, minutes }: RunFigures): void {
  const apis = [...seriesNamed(counter, 'ssm:'), ...seriesNamed(counter, 'events:')]
    .concat(seriesNamed(counter, 'scheduler:'), seriesNamed(counter, 'cloudwatch:'))
    .concat(seriesNamed(counter, 'lambda:Invoke'));
  console.log('\nAWS calls per simulated minute, against the default quotas (per account and region):\n');
  table(
    ['API', 'calls', 'mean/min', 'peak/min', 'peak/s', 'default quota', 'peak/s of quota'],
    apis.map((api) => {
      const quota = AWS_QUOTAS[api];
      const peakSecond = counter.peak(api, 1);
      return [
        api,
        n(counter.total(api)),
        n(counter.total(api) / minutes, 1),
        n(counter.peak(api, 60)),
        n(peakSecond),
        quota ? quota.source : UNPUBLISHED,
        quota ? `${n((100 * peakSecond) / quota.perSecond, 1)}%` : '-',
      ];
    }),
  );
}

/** Requests and units, the table's and the hottest index partition's, against DynamoDB's per-second caps. */
export function printDynamo({ counter, minutes, dynamo }: RunFigures): void {
  console.log('\nDynamoDB (on demand; units estimated from item sizes, as bench/release-figures.ts does):\n');
  const rows = seriesNamed(counter, 'dynamodb:').map((api) => [
    api,
    n(counter.total(api)),
    n(counter.total(api) / minutes, 1),
    n(counter.peak(api, 60)),
    n(counter.peak(api, 1)),
    api === 'dynamodb:WRU'
      ? `${n(DYNAMO.tableWriteUnitsPerSecond)}/s a table`
      : api === 'dynamodb:RRU'
        ? `${n(DYNAMO.tableReadUnitsPerSecond)}/s a table`
        : '',
  ]);
  const partitions = seriesNamed(counter, 'gsi1 ').map((key) => [
    `${key} (index partition)`,
    n(counter.total(key)),
    n(counter.total(key) / minutes, 1),
    n(counter.peak(key, 60)),
    n(counter.peak(key, 1)),
    `${n(DYNAMO.partitionWriteUnitsPerSecond)}/s a partition`,
  ]);
  table(['requests / units', 'total', 'mean/min', 'peak/min', 'peak/s', 'limit'], [...rows, ...partitions]);
  console.log(
    `\n${n(dynamo.requests)} requests, ${n(dynamo.wcu)} write units, ${n(dynamo.rcu)} read units in all.`,
  );
}

/** Slack Web API calls per method against its tiers, and chat.postMessage per channel. */
export function printSlack({ counter, channels, minutes }: RunFigures): void {
  console.log('\nSlack Web API calls per simulated minute, against its rate tiers (per workspace):\n');
  table(
    ['method', 'calls', 'mean/min', 'peak/min', 'tier limit/min'],
    seriesNamed(counter, 'slack:').map((api) => {
      const method = api.slice('slack:'.length);
      const limit = SLACK_PER_MINUTE[method];
      return [
        method,
        n(counter.total(api)),
        n(counter.total(api) / minutes, 1),
        n(counter.peak(api, 60)),
        limit ? `${limit}+${counter.peak(api, 60) > limit ? '  OVER' : ''}` : 'per channel (below)',
      ];
    }),
  );
  const busiest = Math.max(0, ...[...channels.perSecond.keys()].map((c) => channels.peak(c, 1)));
  const busiestMinute = Math.max(0, ...[...channels.perSecond.keys()].map((c) => channels.peak(c, 60)));
  console.log(
    `\nchat.postMessage in the busiest channel: ${busiest} in one second, ${busiestMinute} in one minute ` +
      `(Slack allows about ${POST_MESSAGE_PER_CHANNEL_PER_SECOND}/s per channel, with short bursts).`,
  );
}

/** The alarm storm: from the watched alarm's delivery to each release's first rollback command, by state. */
export function printStorm({ observed, counter }: RunFigures): void {
  const { watching, firedOn } = observed.storm;
  const latencies = new Map([...observed.storm.latencies].filter(([releaseId]) => firedOn.has(releaseId)));
  const byState = new Map<string, number[]>();
  for (const [releaseId, ms] of latencies) {
    const state = watching.get(releaseId) ?? '?';
    byState.set(state, [...(byState.get(state) ?? []), ms]);
  }
  const spread = (values: number[]) =>
    `p50 ${n(median(values))} ms, p99 ${n(percentile(values, 0.99))} ms, max ${n(Math.max(...values))} ms`;
  console.log("\nAlarm storm (times are simulated: the handlers' own time plus any wait on hosts):\n");
  table(
    ['what', 'figure'],
    [
      ['alarm events delivered (incl. the duplicate)', n(counter.total('lambda:alarm'))],
      ['releases running, all watching the alarm', n(watching.size)],
      ['releases the alarm rolled back (the others had no canary traffic yet)', n(firedOn.size)],
      ['of which sent a rollback command', n(latencies.size)],
      [
        'alarm -> first rollback SendCommand, all',
        latencies.size > 0 ? spread([...latencies.values()]) : 'none',
      ],
      ...[...byState].map(([state, values]) => [`  of ${values.length} in ${state}`, spread(values)]),
    ],
  );
}

export function printFootprint({ footprint }: RunFigures): void {
  const items = footprint.perRelease.map((r) => r.items).concat(footprint.perRelease.length ? [] : [0]);
  const bytes = footprint.perRelease
    .map((r) => r.bytes / 1024)
    .concat(footprint.perRelease.length ? [] : [0]);
  console.log('\nDynamoDB items and bytes per release (read back from the table at the end):\n');
  table(
    ['per release', 'mean', 'p50', 'max'],
    [
      ['items', n(mean(items), 1), n(median(items)), n(Math.max(...items))],
      ['KB', n(mean(bytes), 1), n(median(bytes), 1), n(Math.max(...bytes), 1)],
    ],
  );
  const kinds = [...footprint.kinds].sort(([a], [b]) => a.localeCompare(b));
  table(
    ['item (pk/sk)', 'items', 'KB'],
    kinds.map(([kind, k]) => [kind, n(k.items), n(k.bytes / 1024, 1)]),
  );
  console.log(
    `\n${n(footprint.perRelease.length)} releases; the table holds ${n(footprint.tableItems)} items, ` +
      `${n(footprint.tableBytes / 1024 / 1024, 2)} MB.`,
  );
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

const PRICE = ON_DEMAND_PRICES;

/** What the whole run cost, divided by the releases it started. */
export function printCost({ counter, dynamo, observed, footprint }: RunFigures): void {
  const invocations = seriesNamed(counter, 'lambda:')
    .filter((api) => !api.startsWith('lambda:Invoke'))
    .reduce((sum, api) => sum + counter.total(api), 0);
  const parts: [string, number][] = [
    ['DynamoDB writes', dynamo.wcu * PRICE.wru],
    ['DynamoDB reads', dynamo.rcu * PRICE.rru],
    // 200 ms at 512 MB (arm64) an invocation: a generous estimate, as in the one-release bench.
    ['Lambda', invocations * (PRICE.lambdaRequest + 0.2 * 0.5 * PRICE.lambdaGbSecondArm)],
    ['EventBridge PutEvents', counter.total('events:PutEvents') * PRICE.putEvents],
    ['Scheduler', counter.total('scheduler:CreateSchedule') * PRICE.scheduler],
    ['CloudWatch API', counter.total('cloudwatch:DescribeAlarms') * PRICE.cloudWatchApi],
  ];
  const releases = Math.max(1, observed.started);
  const total = parts.reduce((sum, [, cost]) => sum + cost, 0);
  console.log(`\nCost per release at this scale (${n(releases)} releases started, on-demand prices):\n`);
  table(
    ['part', 'per release'],
    [
      ...parts.map(([part, cost]) => [part, `$${(cost / releases).toFixed(6)}`]),
      ['all', `$${(total / releases).toFixed(6)}`],
    ],
  );
  const storage = (footprint.tableBytes / releases / 1024 ** 3) * PRICE.storageGbMonth;
  console.log(
    `\n${n(invocations)} Lambda invocations (${n(invocations / releases, 1)} a release); storage $${storage.toFixed(8)} a release-month until the TTL and history are cleared. SSM Run Command and Slack: no charge.`,
  );
}

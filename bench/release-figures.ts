/** What one complete release costs: its DynamoDB requests counted, its calls and price printed. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { table } from './bench-table';

/** On-demand prices, us-east-1, as published by AWS (Nov 2024 DynamoDB price cut): see README. */
export const ON_DEMAND_PRICES = {
  wru: 0.625 / 1e6,
  rru: 0.125 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
  putEvents: 1 / 1e6,
  scheduler: 1 / 1e6,
  cloudWatchApi: 0.01 / 1000,
  getMetricDataMetric: 0.01 / 1000,
  widgetImageMetric: 0.02 / 1000,
  storageGbMonth: 0.25,
};

/**
 * Counts every DynamoDB request and the capacity it would consume on AWS. DynamoDB Local reports no consumed
 * capacity, so units are estimated from item sizes as AWS bills them: a transactional write 2 units per KB of each
 * item (rounded up), a batch delete 1, a strongly consistent read 1 unit per 4 KB of what it returns.
 */
export function countDynamo(client: DynamoDBClient) {
  const counts = { requests: 0, writeRequests: 0, itemsWritten: 0, wcu: 0, rcu: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const output = await next(args);
      counts.requests++;
      const command = context.commandName ?? '';
      if (/Put|Update|Delete|TransactWrite|BatchWrite/.test(command)) {
        const items = writtenItems(input);
        counts.writeRequests++;
        counts.itemsWritten += items.length;
        const perKb = command.startsWith('Transact') ? 2 : 1;
        counts.wcu += items.reduce(
          (sum: number, item: unknown) => sum + perKb * Math.ceil(sizeOf(item) / 1024),
          0,
        );
      } else {
        const out = output.output as { Item?: unknown; Items?: unknown[] };
        const bytes = [out.Item, ...(out.Items ?? [])].reduce((sum: number, item) => sum + sizeOf(item), 0);
        counts.rcu += Math.max(1, Math.ceil(bytes / 4096));
      }
      return output;
    },
    { step: 'initialize', name: 'countDynamo' },
  );
  return counts;
}

function writtenItems(input: Record<string, unknown>): unknown[] {
  const transact = input.TransactItems as
    | { Put?: { Item?: unknown }; Delete?: { Key?: unknown } }[]
    | undefined;
  if (transact) return transact.map((t) => t.Put?.Item ?? t.Delete?.Key ?? {});
  const batch = Object.values((input.RequestItems as Record<string, unknown[]>) ?? {}).flat();
  return batch.length > 0 ? batch : [input.Item ?? input.Key ?? {}];
}

/** About what DynamoDB counts: attribute names and values (as JSON: close enough for strings, which dominate). */
function sizeOf(item: unknown): number {
  return item === undefined ? 0 : Buffer.byteLength(JSON.stringify(item));
}

export function printRelease(
  title: string,
  aws: Record<string, number>,
  dynamo: { requests: number; writeRequests: number; itemsWritten: number; wcu: number; rcu: number },
  invocations: number,
  slackCalls: ReadonlyMap<string, number>,
): void {
  console.log(`\n${title}:\n`);
  table(
    ['API', 'calls'],
    [
      ...Object.entries(aws).map(([k, v]) => [k, String(v)]),
      ['dynamodb (all requests)', String(dynamo.requests)],
      ['dynamodb write requests', String(dynamo.writeRequests)],
      ['dynamodb items written', String(dynamo.itemsWritten)],
      ['Lambda invocations', String(invocations)],
      ...[...slackCalls].map(([method, count]) => [`slack ${method}`, String(count)]),
    ],
  );
  const price = ON_DEMAND_PRICES;
  const { wcu: wru, rcu: rru } = dynamo;
  const lambdaSeconds = invocations * 0.2; // 200 ms at 512 MB each, a generous estimate
  const cost =
    wru * price.wru +
    rru * price.rru +
    invocations * price.lambdaRequest +
    lambdaSeconds * 0.5 * price.lambdaGbSecondArm +
    (aws['events:PutEvents'] ?? 0) * price.putEvents +
    (aws['scheduler:CreateSchedule'] ?? 0) * price.scheduler +
    (aws['cloudwatch:DescribeAlarms'] ?? 0) * price.cloudWatchApi +
    (aws['cloudwatch:GetMetricData (metrics requested)'] ?? 0) * price.getMetricDataMetric +
    (aws['cloudwatch:GetMetricWidgetImage (metrics requested)'] ?? 0) * price.widgetImageMetric;
  console.log(`\nDynamoDB consumed (estimated from item sizes): ${wru} write units, ${rru} read units`);
  console.log(
    `cost of one release at on-demand prices: $${cost.toFixed(6)} (~$${(cost * 1000).toFixed(3)} per 1,000 releases)`,
  );
  console.log(
    'prices: DynamoDB $0.625/M write units, $0.125/M read units; Lambda $0.20/M requests + $0.0000133334/GB-s (arm64, 512 MB, 200 ms assumed);',
  );
  console.log(
    'EventBridge $1.00/M custom events; Scheduler $1.00/M invocations; CloudWatch API $0.01/1,000 requests, GetMetricData $0.01/1,000 metrics, GetMetricWidgetImage $0.02/1,000 metrics; SSM Run Command, standard parameters and ELB API calls: no charge.',
  );
  console.log(
    `fixed: the sweeper runs 43,200 times a month: $${(43_200 * (price.lambdaRequest + 0.1 * 0.5 * price.lambdaGbSecondArm)).toFixed(3)}/month before the free tier.`,
  );
}

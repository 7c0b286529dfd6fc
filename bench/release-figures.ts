/** What one complete release costs: its DynamoDB requests counted, its calls and price printed. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { table } from './bench-table';

/** Counts every DynamoDB request and the write units it consumed (ReturnConsumedCapacity). */
export function countDynamo(client: DynamoDBClient) {
  const counts = { requests: 0, writeRequests: 0, itemsWritten: 0, wcu: 0, rcu: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      const out = output.output as { ConsumedCapacity?: unknown };
      const capacity = [out.ConsumedCapacity].flat().filter(Boolean) as {
        WriteCapacityUnits?: number;
        ReadCapacityUnits?: number;
        CapacityUnits?: number;
      }[];
      counts.requests++;
      const command = context.commandName ?? '';
      if (/Put|Update|Delete|TransactWrite|BatchWrite/.test(command)) {
        counts.writeRequests++;
        const items =
          (input.TransactItems as unknown[] | undefined)?.length ??
          Object.values((input.RequestItems as Record<string, unknown[]>) ?? {}).flat().length ??
          1;
        counts.itemsWritten += items || 1;
        counts.wcu += capacity.reduce((sum, c) => sum + (c.WriteCapacityUnits ?? c.CapacityUnits ?? 0), 0);
      } else {
        counts.rcu += capacity.reduce((sum, c) => sum + (c.ReadCapacityUnits ?? c.CapacityUnits ?? 0), 0);
      }
      return output;
    },
    { step: 'initialize', name: 'countDynamo' },
  );
  return counts;
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
  // On-demand prices, us-east-1, as published by AWS (Nov 2024 DynamoDB price cut): see README.
  const price = {
    wru: 0.625 / 1e6,
    rru: 0.125 / 1e6,
    lambdaRequest: 0.2 / 1e6,
    lambdaGbSecondArm: 0.0000133334,
    putEvents: 1 / 1e6,
    scheduler: 1 / 1e6,
    cloudWatchApi: 0.01 / 1000,
  };
  const wru = dynamo.wcu || dynamo.itemsWritten * 2;
  const rru = dynamo.rcu || dynamo.requests - dynamo.writeRequests;
  const lambdaSeconds = invocations * 0.2; // 200 ms at 512 MB each, a generous estimate
  const cost =
    wru * price.wru +
    rru * price.rru +
    invocations * price.lambdaRequest +
    lambdaSeconds * 0.5 * price.lambdaGbSecondArm +
    (aws['events:PutEvents'] ?? 0) * price.putEvents +
    (aws['scheduler:CreateSchedule'] ?? 0) * price.scheduler +
    (aws['cloudwatch:DescribeAlarms'] ?? 0) * price.cloudWatchApi;
  console.log(
    `\nDynamoDB consumed: ${wru.toFixed(1)} write units, ${rru.toFixed(1)} read units${dynamo.wcu ? '' : ' (estimated: 2 WRU per transactional item)'}`,
  );
  console.log(
    `cost of one release at on-demand prices: $${cost.toFixed(6)} (~$${(cost * 1000).toFixed(3)} per 1,000 releases)`,
  );
  console.log(
    'prices: DynamoDB $0.625/M write units, $0.125/M read units; Lambda $0.20/M requests + $0.0000133334/GB-s (arm64, 512 MB, 200 ms assumed);',
  );
  console.log(
    'EventBridge $1.00/M custom events; Scheduler $1.00/M invocations; CloudWatch API $0.01/1,000 requests; SSM Run Command, standard parameters and ELB API calls: no charge.',
  );
  console.log(
    `fixed: the sweeper runs 43,200 times a month: $${(43_200 * (price.lambdaRequest + 0.1 * 0.5 * price.lambdaGbSecondArm)).toFixed(3)}/month before the free tier.`,
  );
}

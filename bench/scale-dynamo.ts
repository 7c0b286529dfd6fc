/** DynamoDB in the scale simulation: requests per operation, write units per GSI partition, items per release. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Counter } from './scale-world';

const size = (item: unknown) => Buffer.byteLength(JSON.stringify(item ?? {}));

/**
 * Counts each request as `dynamodb:<Operation>`, and the write units each `gsi1pk` partition of the index takes
 * (`gsi1 <pk> WCU`): every release item while active and every outbox item share two partition keys, so their
 * index writes land on one partition each, which DynamoDB caps at 1,000 write units a second.
 */
export function countDynamoByKey(client: DynamoDBClient, counter: Counter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.add(`dynamodb:${(context.commandName ?? '').replace(/Command$/, '')}`);
      const input = args.input as { TransactItems?: { Put?: { Item?: Record<string, unknown> } }[] };
      for (const { Put } of input.TransactItems ?? []) {
        const pk = Put?.Item?.gsi1pk;
        if (typeof pk === 'string') counter.add(`gsi1 ${pk} WCU`, Math.ceil(size(Put?.Item) / 1024));
      }
      const index = (
        args.input as { IndexName?: string; ExpressionAttributeValues?: Record<string, unknown> }
      ).ExpressionAttributeValues;
      if (context.commandName === 'QueryCommand' && index?.[':active'] === 'ACTIVE')
        counter.add('dynamodb:Query gsi1 ACTIVE');
      return next(args);
    },
    { step: 'initialize', name: 'countDynamoByKey' },
  );
}

export interface StoredFootprint {
  readonly perRelease: { items: number; bytes: number }[];
  readonly tableItems: number;
  readonly tableBytes: number;
  readonly kinds: Map<string, { items: number; bytes: number }>;
}

/** Reads the whole table at the end (a Scan, here only) and sums each release's items and bytes. */
export async function storedFootprint(client: DynamoDBClient, table: string): Promise<StoredFootprint> {
  const doc = DynamoDBDocumentClient.from(client);
  const byRelease = new Map<string, { items: number; bytes: number }>();
  const kinds = new Map<string, { items: number; bytes: number }>();
  let [tableItems, tableBytes] = [0, 0];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      const bytes = size(item);
      tableItems++;
      tableBytes += bytes;
      const pk = String(item.pk);
      const kind = `${pk.split('#')[0]}/${String(item.sk).split('#')[0]}`;
      const k = kinds.get(kind) ?? { items: 0, bytes: 0 };
      kinds.set(kind, { items: k.items + 1, bytes: k.bytes + bytes });
      const releaseId = pk.startsWith('RELEASE#') ? pk.slice(8) : item.releaseId;
      if (typeof releaseId !== 'string' || pk.startsWith('SERVICE#')) continue;
      const r = byRelease.get(releaseId) ?? { items: 0, bytes: 0 };
      byRelease.set(releaseId, { items: r.items + 1, bytes: r.bytes + bytes });
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { perRelease: [...byRelease.values()], tableItems, tableBytes, kinds };
}

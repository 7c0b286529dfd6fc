import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DueDeadline, ReleaseStore } from '../domain/ports';
import { dynamoFreezes } from './dynamo-freezes';
import { deleteOutboxItems } from './dynamo-items';
import { createRelease, saveRelease, type Table } from './dynamo-release-writes';
import { dynamoStartQueue } from './dynamo-start-queue';
import { parseStored } from './stored-item';
import { storedReleaseShapes } from './stored-release-shapes';

/*
 * One table, items keyed for the questions the agent asks:
 *
 *   pk                  sk              what                          indexes
 *   RELEASE#<id>        RELEASE         the release, version-checked  gsi1: ACTIVE / <deadline>#<id> while active
 *                                                                     gsi2: SERVICE#<svc> / <requestedAt>
 *   RELEASE#<id>        HISTORY#000042  one history entry (append-only, put-if-absent)
 *   RELEASE#<id>        OUTBOX#<effect> an effect not yet run          gsi1: OUTBOX / <createdAt>#<effect>
 *   RELEASE#<id>        CARD            the release's Slack message (adapters/dynamo-card-refs.ts)
 *   SERVICE#<svc>       LOCK            the active release's id (one per service)
 *   SERVICE#<svc>       QUEUE           the start queued next (adapters/dynamo-start-queue.ts)  gsi1: QUEUED / <svc>
 *   EVENT#<eventId>     EVENT           a processed delivery (TTL)
 *   COMMAND#<commandId> COMMAND         which release sent an SSM command (TTL)
 *   FREEZE#<svc|*>      FREEZE          a change freeze (adapters/dynamo-freezes.ts)  gsi1: FREEZES / <scope>
 *
 * Every change is one TransactWriteItems: the release put on `version = :expected`, its history, its outbox
 * effects, the event id (put-if-absent) and the lock (taken on create, released on a terminal state) commit
 * together or not at all (a create also checks that no freeze stops the service, and that no start is queued
 * unless it is that start, which it takes out of the queue):
 *
 *   Lambda A: load v7 ──────── transact(v7→v8, event e1) ✔
 *   Lambda B: load v7 ───────────── transact(v7→v8, event e2) ✘ ConditionalCheckFailed on the release
 *                                    └─ VersionConflictError → reload v8, apply e2 again, transact(v8→v9)
 */
export function dynamoReleaseStore(client: DynamoDBClient, tableName: string): ReleaseStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const table: Table = { doc, name: tableName };
  return {
    ...dynamoFreezes(doc, tableName),
    ...dynamoStartQueue(table),
    load: (releaseId) => load(table, releaseId),
    create: (change) => createRelease(table, change),
    save: (change, expectedVersion) => saveRelease(table, change, expectedVersion),
    activeReleaseId: async (service) => stringOf(await get(table, `SERVICE#${service}`, 'LOCK')),
    activeReleases: () => activeReleases(table),
    recentReleases: (service, limit) => recentReleases(table, service, limit),
    history: (releaseId) => history(table, releaseId),
    releaseIdForCommand: async (commandId) => stringOf(await get(table, `COMMAND#${commandId}`, 'COMMAND')),
    pendingEffects: (createdBefore) => pendingEffects(table, createdBefore),
    pendingEffectsOf: (releaseId) => pendingEffectsOf(table, releaseId),
    completeEffects: (effects) => deleteOutboxItems(doc, tableName, effects),
    dueDeadlines: (now) => dueDeadlines(table, now),
  };
}

async function get(table: Table, pk: string, sk: string) {
  const { Item } = await table.doc.send(
    new GetCommand({ TableName: table.name, Key: { pk, sk }, ConsistentRead: true }),
  );
  return Item;
}

const stringOf = (item: Record<string, unknown> | undefined): string | null =>
  typeof item?.releaseId === 'string' ? item.releaseId : null;

async function queryAll(table: Table, input: Omit<QueryCommandInput, 'TableName'>) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await table.doc.send(
      new QueryCommand({ ...input, TableName: table.name, ExclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey =
      input.Limit !== undefined && items.length >= input.Limit ? undefined : page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

async function load(table: Table, releaseId: string) {
  const item = await get(table, `RELEASE#${releaseId}`, 'RELEASE');
  if (!item) return null;
  const { releaseSchema } = await storedReleaseShapes();
  return parseStored(releaseSchema, item.data, `release ${releaseId}`);
}

async function activeReleases(table: Table) {
  const items = await queryAll(table, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :active',
    ExpressionAttributeValues: { ':active': 'ACTIVE' },
  });
  if (items.length === 0) return [];
  const { releaseSchema } = await storedReleaseShapes();
  return items.map((item) => parseStored(releaseSchema, item.data, 'active release'));
}

async function recentReleases(table: Table, service: string, limit: number) {
  const items = await queryAll(table, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :service',
    ExpressionAttributeValues: { ':service': `SERVICE#${service}` },
    ScanIndexForward: false,
    Limit: limit,
  });
  if (items.length === 0) return [];
  const { releaseSchema } = await storedReleaseShapes();
  return items.slice(0, limit).map((item) => parseStored(releaseSchema, item.data, `release of ${service}`));
}

async function history(table: Table, releaseId: string) {
  const items = await queryAll(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
    ExpressionAttributeValues: { ':pk': `RELEASE#${releaseId}`, ':history': 'HISTORY#' },
    ConsistentRead: true,
  });
  if (items.length === 0) return [];
  const { historyEntrySchema } = await storedReleaseShapes();
  return items.map((item) => parseStored(historyEntrySchema, item.data, `history of ${releaseId}`));
}

async function pendingEffects(table: Table, createdBefore: string) {
  const items = await queryAll(table, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :outbox AND gsi1sk <= :before',
    ExpressionAttributeValues: { ':outbox': 'OUTBOX', ':before': `${createdBefore}#~` },
  });
  if (items.length === 0) return [];
  const { pendingEffectSchema } = await storedReleaseShapes();
  return items.map((item) => parseStored(pendingEffectSchema, item.data, 'outbox effect'));
}

async function pendingEffectsOf(table: Table, releaseId: string) {
  const items = await queryAll(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)',
    ExpressionAttributeValues: { ':pk': `RELEASE#${releaseId}`, ':outbox': 'OUTBOX#' },
    ConsistentRead: true,
  });
  if (items.length === 0) return [];
  const { pendingEffectSchema } = await storedReleaseShapes();
  return items.map((item) => parseStored(pendingEffectSchema, item.data, `outbox of ${releaseId}`));
}

async function dueDeadlines(table: Table, now: string) {
  const items = await queryAll(table, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :active AND gsi1sk <= :now',
    ExpressionAttributeValues: { ':active': 'ACTIVE', ':now': `${now}#~` },
  });
  if (items.length === 0) return [];
  const { releaseSchema } = await storedReleaseShapes();
  return items.flatMap((item): DueDeadline[] => {
    const release = parseStored(releaseSchema, item.data, 'active release');
    const run = release.run;
    return run ? [{ releaseId: release.id, stepId: run.stepId, deadlineAt: run.deadlineAt }] : [];
  });
}

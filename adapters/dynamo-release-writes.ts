import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  DuplicateEventError,
  QueueChangedError,
  ServiceBusyError,
  ServiceFrozenError,
  VersionConflictError,
} from '../domain/errors';
import { servicesOf } from '../domain/group';
import { holdsServiceLock } from '../domain/policies';
import type { ReleaseChange } from '../domain/ports';
import { hostOperationRunOf } from '../domain/steps';
import { freezeKey, freezeScopesOf } from './dynamo-freezes';
import {
  type CancelReason,
  outboxPut,
  queueKey,
  reasonsOf,
  releaseItem,
  type TransactItem,
} from './dynamo-items';
import { storedReleaseShapes } from './stored-release-shapes';

/** The table a store writes to: the document client and the table's name. */
export interface Table {
  readonly doc: DynamoDBDocumentClient;
  readonly name: string;
}

/** How long processed-event ids and command correlations are kept (DynamoDB TTL). */
const EVENT_TTL_SECONDS = 14 * 86_400;

/**
 * Creates a release: takes the service's lock, puts the release, and checks that no freeze stops the service and
 * that no start is queued for it (or, for the queued start itself, removes it from the queue), in the same
 * transaction as its history, outbox and event id.
 */
export async function createRelease(table: Table, change: ReleaseChange): Promise<void> {
  const { release } = change;
  // A group release takes every member's lock, and checks every member's freezes and queue, in one transaction.
  const services = servicesOf(release);
  const locks = services.map(
    (service): TransactItem => ({
      Put: {
        TableName: table.name,
        Item: { pk: `SERVICE#${service}`, sk: 'LOCK', releaseId: release.id },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    }),
  );
  const put: TransactItem = {
    Put: {
      TableName: table.name,
      Item: releaseItem(release),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  // A freeze set after the use case read the freezes still stops this start: no freeze may exist now.
  const scopes = [...new Set(services.flatMap(freezeScopesOf))];
  const unfrozen = scopes.map(
    (scope): TransactItem => ({
      ConditionCheck: {
        TableName: table.name,
        Key: freezeKey(scope),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    }),
  );
  // A queued start goes first: any other start fails here and is queued in its place.
  const queues = services.map((service): TransactItem => {
    const Key = queueKey(service);
    return change.fromQueue
      ? {
          Delete: {
            TableName: table.name,
            Key,
            ConditionExpression: 'releaseId = :id',
            ExpressionAttributeValues: { ':id': release.id },
          },
        }
      : { ConditionCheck: { TableName: table.name, Key, ConditionExpression: 'attribute_not_exists(pk)' } };
  });
  const items = [...locks, ...changeItems(table, change, put), ...unfrozen, ...queues];
  await transact(table, items, (reasons) => {
    const failed = (sk: string) => reasons.some((r) => r.failed && r.sk === sk);
    if (failed('EVENT') && change.eventId) return new DuplicateEventError(change.eventId);
    if (failed('FREEZE')) return new ServiceFrozenError(release.service);
    const queueSk = queueKey(release.service).sk;
    if (failed(queueSk) && change.fromQueue) return new QueueChangedError(release.service);
    const heldAt = services.findIndex((_, i) => reasons[i]?.failed);
    const holder = reasons[heldAt]?.old?.releaseId;
    if (heldAt >= 0)
      return new ServiceBusyError(
        services[heldAt] ?? release.service,
        typeof holder === 'string' ? holder : null,
      );
    const firstQueue = items.length - queues.length;
    const queuedAt = services.findIndex((_, i) => reasons[firstQueue + i]?.failed);
    if (queuedAt >= 0) return new ServiceBusyError(services[queuedAt] ?? release.service, null);
    return new VersionConflictError(release.id, 0);
  });
}

/** Saves a change if the stored release is still at `expectedVersion`; otherwise says what it is now. */
export async function saveRelease(
  table: Table,
  change: ReleaseChange,
  expectedVersion: number,
): Promise<void> {
  const { release } = change;
  const put: TransactItem = {
    Put: {
      TableName: table.name,
      Item: releaseItem(release),
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  // A conflict reads the release that won it back, synchronously: the shapes are loaded before the write.
  const { releaseSchema } = await storedReleaseShapes();
  await transact(table, changeItems(table, change, put), (reasons) => {
    const duplicate = reasons.find((r) => r.failed && r.sk === 'EVENT');
    if (duplicate && change.eventId) return new DuplicateEventError(change.eventId);
    const old = reasons[0]?.old;
    const current = old ? releaseSchema.safeParse(JSON.parse(String(old.data))) : undefined;
    return new VersionConflictError(release.id, expectedVersion, current?.success ? current.data : undefined);
  });
}

/** A processed delivery, put-if-absent (so a redelivery fails the write), kept for two weeks (DynamoDB TTL). */
export function eventPut(tableName: string, eventId: string, releaseId: string, at: string): TransactItem {
  const expiresAt = Math.floor(Date.parse(at) / 1000) + EVENT_TTL_SECONDS;
  return {
    Put: {
      TableName: tableName,
      Item: { pk: `EVENT#${eventId}`, sk: 'EVENT', releaseId, expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Everything one change writes beside the release: history, outbox, event id, command correlation, the lock. */
function changeItems(table: Table, change: ReleaseChange, releaseCondition: TransactItem): TransactItem[] {
  const { release } = change;
  const pk = `RELEASE#${release.id}`;
  const expiresAt = Math.floor(Date.parse(release.updatedAt) / 1000) + EVENT_TTL_SECONDS;
  const put = (Item: Record<string, unknown>, ifAbsent: boolean): TransactItem => ({
    Put: {
      TableName: table.name,
      Item,
      ...(ifAbsent ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
    },
  });
  const items: TransactItem[] = [releaseCondition];
  for (const entry of change.history) {
    const sk = `HISTORY#${String(entry.seq).padStart(6, '0')}`;
    items.push(put({ pk, sk, data: JSON.stringify(entry) }, true));
  }
  for (const effect of change.effects) items.push(outboxPut(table.name, effect));
  if (change.eventId) items.push(eventPut(table.name, change.eventId, release.id, release.updatedAt));
  const commandId = hostOperationRunOf(release)?.commandId;
  if (commandId) {
    items.push(put({ pk: `COMMAND#${commandId}`, sk: 'COMMAND', releaseId: release.id, expiresAt }, false));
  }
  if (!holdsServiceLock(release.state)) {
    for (const service of servicesOf(release))
      items.push({
        Delete: {
          TableName: table.name,
          Key: { pk: `SERVICE#${service}`, sk: 'LOCK' },
          ConditionExpression: 'attribute_not_exists(pk) OR releaseId = :id',
          ExpressionAttributeValues: { ':id': release.id },
        },
      });
  }
  return items;
}

export async function transact(
  table: Table,
  items: TransactItem[],
  onCancelled: (reasons: CancelReason[]) => Error,
): Promise<void> {
  try {
    await table.doc.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) throw onCancelled(reasonsOf(error, items));
    throw error;
  }
}

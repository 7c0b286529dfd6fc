import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DuplicateEventError, QueueChangedError, ServiceBusyError } from '../domain/errors';
import type { PendingEffect } from '../domain/ports';
import type { QueueChange, QueuedStart, StartQueue } from '../domain/queue';
import { outboxPut, queueKey, type TransactItem } from './dynamo-items';
import { eventPut, type Table, transact } from './dynamo-release-writes';
import { queuedStartSchema } from './queue-schema';
import { parseStored } from './stored-item';

/**
 * The queue in the releases table: `SERVICE#<service>` / `QUEUE` beside the service's `LOCK`, listed through gsi1
 * (`QUEUED` / `<service>`). Queueing checks the lock in the same transaction, so it cannot slip in after the end
 * that releases the lock was saved; whoever saved that end then finds the entry, or the entry is queued knowing
 * that no release holds the service:
 *
 *   end of R1:  transact(R1 terminal, delete LOCK) ✔ ───── read QUEUE ─ start it
 *   queueing:   transact(put QUEUE, check LOCK is R1 or absent) ✔ ─ read LOCK: absent ─ start it
 *
 * Both may try to start it: `create({ fromQueue })` deletes the entry on its id in the write that takes the lock,
 * so only one of them makes the release.
 */
export function dynamoStartQueue(table: Table): StartQueue {
  return {
    queuedStart: (service) => queuedStart(table, service),
    queuedStarts: () => queuedStarts(table),
    queueStart: (change, expected) => queueStart(table, change, expected),
    dropQueuedStart: (service, releaseId, effects) => dropQueuedStart(table, service, releaseId, effects),
  };
}

async function queuedStart(table: Table, service: string): Promise<QueuedStart | null> {
  const { Item } = await table.doc.send(
    new GetCommand({ TableName: table.name, Key: queueKey(service), ConsistentRead: true }),
  );
  return Item ? parseStored(queuedStartSchema, Item.data, `start queued for ${service}`) : null;
}

async function queuedStarts(table: Table): Promise<QueuedStart[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :queued',
        ExpressionAttributeValues: { ':queued': 'QUEUED' },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.map((item) => parseStored(queuedStartSchema, item.data, 'queued start'));
}

async function queueStart(table: Table, change: QueueChange, expected: string | null): Promise<void> {
  const { queued, eventId } = change;
  const key = queueKey(queued.service);
  const put: TransactItem = {
    Put: {
      TableName: table.name,
      Item: {
        ...key,
        releaseId: queued.releaseId,
        gsi1pk: 'QUEUED',
        gsi1sk: queued.service,
        data: JSON.stringify(queued),
      },
      ...(expected === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'releaseId = :expected',
            ExpressionAttributeValues: { ':expected': expected },
          }),
    },
  };
  const lock: TransactItem = {
    ConditionCheck: {
      TableName: table.name,
      Key: { pk: key.pk, sk: 'LOCK' },
      ConditionExpression: 'attribute_not_exists(pk) OR releaseId = :behind',
      ExpressionAttributeValues: { ':behind': queued.behind },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  const items = [
    put,
    lock,
    ...change.effects.map((effect) => outboxPut(table.name, effect)),
    ...(eventId ? [eventPut(table.name, eventId, queued.releaseId, queued.queuedAt)] : []),
  ];
  await transact(table, items, (reasons) => {
    const failed = (sk: string) => reasons.find((r) => r.failed && r.sk === sk);
    if (failed('EVENT') && eventId) return new DuplicateEventError(eventId);
    if (failed('QUEUE')) return new QueueChangedError(queued.service);
    const holder = failed('LOCK')?.old?.releaseId;
    return new ServiceBusyError(queued.service, typeof holder === 'string' ? holder : null);
  });
}

async function dropQueuedStart(
  table: Table,
  service: string,
  releaseId: string,
  effects: readonly PendingEffect[],
): Promise<boolean> {
  const remove: TransactItem = {
    Delete: {
      TableName: table.name,
      Key: queueKey(service),
      ConditionExpression: 'releaseId = :id',
      ExpressionAttributeValues: { ':id': releaseId },
    },
  };
  const items = [remove, ...effects.map((effect) => outboxPut(table.name, effect))];
  let gone = false;
  await transact(table, items, (reasons) => {
    gone = reasons[0]?.failed === true;
    return new QueueChangedError(service);
  }).catch((error: unknown) => {
    if (!gone) throw error;
  });
  return !gone;
}

import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { holdsServiceLock } from '../domain/policies';
import type { PendingEffect } from '../domain/ports';
import type { Release } from '../domain/types';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface CancelReason {
  readonly failed: boolean;
  readonly sk?: string;
  readonly old?: Record<string, unknown>;
}

/*
 * The release item's shape and the release store's transaction and batch helpers, kept apart so that
 * dynamo-release-store.ts reads as its key design.
 */

/** Sorts after any ISO instant: active releases with no deadline (waiting for a person) never come due. */
const NO_DEADLINE = '9999-12-31T23:59:59.999Z';

/** The release item: the release under its version, indexed while active (gsi1) and by service (gsi2). */
export function releaseItem(release: Release) {
  const active = holdsServiceLock(release.state);
  const deadline = release.state === 'rollbackFailed' ? undefined : release.run?.deadlineAt;
  return {
    pk: `RELEASE#${release.id}`,
    sk: 'RELEASE',
    version: release.version,
    state: release.state,
    service: release.service,
    gsi2pk: `SERVICE#${release.service}`,
    gsi2sk: `${release.requestedAt}#${release.id}`,
    ...(active ? { gsi1pk: 'ACTIVE', gsi1sk: `${deadline ?? NO_DEADLINE}#${release.id}` } : {}),
    data: JSON.stringify(release),
  };
}

/** The key of a service's queued start (`SERVICE#<service>` / `QUEUE`), beside its lock (`LOCK`). */
export function queueKey(service: string) {
  return { pk: `SERVICE#${service}`, sk: 'QUEUE' } as const;
}

/** An effect put in its release's outbox, indexed for the sweeper (gsi1: OUTBOX / <createdAt>#<effect>). */
export function outboxPut(tableName: string, effect: PendingEffect): TransactItem {
  const item = {
    pk: `RELEASE#${effect.releaseId}`,
    sk: `OUTBOX#${effect.id}`,
    gsi1pk: 'OUTBOX',
    gsi1sk: `${effect.createdAt}#${effect.id}`,
    data: JSON.stringify(effect),
  };
  return { Put: { TableName: tableName, Item: item } };
}

/** Lines up DynamoDB's cancellation reasons with the items we sent, so we know which condition failed. */
export function reasonsOf(error: TransactionCanceledException, items: TransactItem[]): CancelReason[] {
  return (error.CancellationReasons ?? []).map((reason, index) => {
    const item = items[index];
    const sk = item?.Put?.Item?.sk ?? item?.Delete?.Key?.sk ?? item?.ConditionCheck?.Key?.sk;
    return {
      failed: reason.Code === 'ConditionalCheckFailed',
      sk: typeof sk === 'string' ? sk : undefined,
      old: reason.Item ? unmarshall(reason.Item as never) : undefined,
    };
  });
}

/** Deletes run effects from the outbox, 25 at a time (BatchWriteItem's limit). */
export async function deleteOutboxItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  effects: readonly PendingEffect[],
): Promise<void> {
  for (let i = 0; i < effects.length; i += 25) {
    const batch = effects.slice(i, i + 25);
    let requests: Record<string, unknown[]> | undefined = {
      [tableName]: batch.map((e) => ({
        DeleteRequest: { Key: { pk: `RELEASE#${e.releaseId}`, sk: `OUTBOX#${e.id}` } },
      })),
    };
    // Unprocessed deletes are retried a few times; one left behind is only run again by the sweeper (safe).
    for (let attempt = 0; requests && Object.keys(requests).length > 0 && attempt < 5; attempt++) {
      const result = await doc.send(new BatchWriteCommand({ RequestItems: requests as never }));
      requests = result.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  DuplicateEventError,
  ServiceBusyError,
  ServiceFrozenError,
  VersionConflictError,
} from '../domain/errors';
import { holdsServiceLock } from '../domain/policies';
import type { DueDeadline, ReleaseChange, ReleaseStore } from '../domain/ports';
import { hostOperationRunOf } from '../domain/steps';
import { dynamoFreezes, freezeKey, freezeScopesOf } from './dynamo-freezes';
import {
  type CancelReason,
  deleteOutboxItems,
  reasonsOf,
  releaseItem,
  type TransactItem,
} from './dynamo-items';
import { historyEntrySchema, pendingEffectSchema, releaseSchema } from './release-schema';
import { parseStored } from './stored-item';

/** How long processed-event ids and command correlations are kept (DynamoDB TTL). */
const EVENT_TTL_SECONDS = 14 * 86_400;

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
 *   EVENT#<eventId>     EVENT           a processed delivery (TTL)
 *   COMMAND#<commandId> COMMAND         which release sent an SSM command (TTL)
 *   FREEZE#<svc|*>      FREEZE          a change freeze (adapters/dynamo-freezes.ts)  gsi1: FREEZES / <scope>
 *
 * Every change is one TransactWriteItems: the release put on `version = :expected`, its history, its outbox
 * effects, the event id (put-if-absent) and the lock (taken on create, released on a terminal state) commit
 * together or not at all (a create also checks that no freeze stops the service):
 *
 *   Lambda A: load v7 ──────── transact(v7→v8, event e1) ✔
 *   Lambda B: load v7 ───────────── transact(v7→v8, event e2) ✘ ConditionalCheckFailed on the release
 *                                    └─ VersionConflictError → reload v8, apply e2 again, transact(v8→v9)
 */
export function dynamoReleaseStore(client: DynamoDBClient, tableName: string): ReleaseStore {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  async function get(pk: string, sk: string) {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return Item;
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName'>) {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await doc.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey =
        input.Limit !== undefined && items.length >= input.Limit ? undefined : page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  function changeItems(change: ReleaseChange, releaseCondition: TransactItem): TransactItem[] {
    const { release } = change;
    const pk = `RELEASE#${release.id}`;
    const expiresAt = Math.floor(Date.parse(release.updatedAt) / 1000) + EVENT_TTL_SECONDS;
    const items: TransactItem[] = [releaseCondition];
    for (const entry of change.history) {
      items.push({
        Put: {
          TableName: tableName,
          Item: { pk, sk: `HISTORY#${String(entry.seq).padStart(6, '0')}`, data: JSON.stringify(entry) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    for (const effect of change.effects) {
      items.push({
        Put: {
          TableName: tableName,
          Item: {
            pk,
            sk: `OUTBOX#${effect.id}`,
            gsi1pk: 'OUTBOX',
            gsi1sk: `${effect.createdAt}#${effect.id}`,
            data: JSON.stringify(effect),
          },
        },
      });
    }
    if (change.eventId) {
      items.push({
        Put: {
          TableName: tableName,
          Item: { pk: `EVENT#${change.eventId}`, sk: 'EVENT', releaseId: release.id, expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    const commandId = hostOperationRunOf(release)?.commandId;
    if (commandId) {
      items.push({
        Put: {
          TableName: tableName,
          Item: { pk: `COMMAND#${commandId}`, sk: 'COMMAND', releaseId: release.id, expiresAt },
        },
      });
    }
    if (!holdsServiceLock(release.state)) {
      items.push({
        Delete: {
          TableName: tableName,
          Key: { pk: `SERVICE#${release.service}`, sk: 'LOCK' },
          ConditionExpression: 'attribute_not_exists(pk) OR releaseId = :id',
          ExpressionAttributeValues: { ':id': release.id },
        },
      });
    }
    return items;
  }

  async function transact(
    items: TransactItem[],
    onCancelled: (reasons: CancelReason[]) => Error,
  ): Promise<void> {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) throw onCancelled(reasonsOf(error, items));
      throw error;
    }
  }

  return {
    ...dynamoFreezes(doc, tableName),

    async load(releaseId) {
      const item = await get(`RELEASE#${releaseId}`, 'RELEASE');
      return item ? parseStored(releaseSchema, item.data, `release ${releaseId}`) : null;
    },

    async create(change) {
      const { release } = change;
      const lock: TransactItem = {
        Put: {
          TableName: tableName,
          Item: { pk: `SERVICE#${release.service}`, sk: 'LOCK', releaseId: release.id },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
      const put: TransactItem = {
        Put: {
          TableName: tableName,
          Item: releaseItem(release),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      };
      // A freeze set after the use case read the freezes still stops this start: no freeze may exist now.
      const unfrozen = freezeScopesOf(release.service).map(
        (scope): TransactItem => ({
          ConditionCheck: {
            TableName: tableName,
            Key: freezeKey(scope),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        }),
      );
      await transact([lock, ...changeItems(change, put), ...unfrozen], (reasons) => {
        const duplicate = reasons.find((r) => r.failed && r.sk === 'EVENT');
        if (duplicate && change.eventId) return new DuplicateEventError(change.eventId);
        if (reasons.some((r) => r.failed && r.sk === 'FREEZE'))
          return new ServiceFrozenError(release.service);
        const holder = reasons[0]?.old?.releaseId;
        if (reasons[0]?.failed)
          return new ServiceBusyError(release.service, typeof holder === 'string' ? holder : null);
        return new VersionConflictError(release.id, 0);
      });
    },

    async save(change, expectedVersion) {
      const { release } = change;
      const put: TransactItem = {
        Put: {
          TableName: tableName,
          Item: releaseItem(release),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
      await transact(changeItems(change, put), (reasons) => {
        const duplicate = reasons.find((r) => r.failed && r.sk === 'EVENT');
        if (duplicate && change.eventId) return new DuplicateEventError(change.eventId);
        const old = reasons[0]?.old;
        const current = old ? releaseSchema.safeParse(JSON.parse(String(old.data))) : undefined;
        return new VersionConflictError(
          release.id,
          expectedVersion,
          current?.success ? current.data : undefined,
        );
      });
    },

    async activeReleaseId(service) {
      const item = await get(`SERVICE#${service}`, 'LOCK');
      return typeof item?.releaseId === 'string' ? item.releaseId : null;
    },

    async activeReleases() {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :active',
        ExpressionAttributeValues: { ':active': 'ACTIVE' },
      });
      return items.map((item) => parseStored(releaseSchema, item.data, 'active release'));
    },

    async recentReleases(service, limit) {
      const items = await queryAll({
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :service',
        ExpressionAttributeValues: { ':service': `SERVICE#${service}` },
        ScanIndexForward: false,
        Limit: limit,
      });
      return items
        .slice(0, limit)
        .map((item) => parseStored(releaseSchema, item.data, `release of ${service}`));
    },

    async history(releaseId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
        ExpressionAttributeValues: { ':pk': `RELEASE#${releaseId}`, ':history': 'HISTORY#' },
        ConsistentRead: true,
      });
      return items.map((item) => parseStored(historyEntrySchema, item.data, `history of ${releaseId}`));
    },

    async releaseIdForCommand(commandId) {
      const item = await get(`COMMAND#${commandId}`, 'COMMAND');
      return typeof item?.releaseId === 'string' ? item.releaseId : null;
    },

    async pendingEffects(createdBefore) {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :outbox AND gsi1sk <= :before',
        ExpressionAttributeValues: { ':outbox': 'OUTBOX', ':before': `${createdBefore}#~` },
      });
      return items.map((item) => parseStored(pendingEffectSchema, item.data, 'outbox effect'));
    },

    async pendingEffectsOf(releaseId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)',
        ExpressionAttributeValues: { ':pk': `RELEASE#${releaseId}`, ':outbox': 'OUTBOX#' },
        ConsistentRead: true,
      });
      return items.map((item) => parseStored(pendingEffectSchema, item.data, `outbox of ${releaseId}`));
    },

    async completeEffects(effects) {
      await deleteOutboxItems(doc, tableName, effects);
    },

    async dueDeadlines(now) {
      const items = await queryAll({
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :active AND gsi1sk <= :now',
        ExpressionAttributeValues: { ':active': 'ACTIVE', ':now': `${now}#~` },
      });
      return items.flatMap((item): DueDeadline[] => {
        const release = parseStored(releaseSchema, item.data, 'active release');
        const run = release.run;
        return run ? [{ releaseId: release.id, stepId: run.stepId, deadlineAt: run.deadlineAt }] : [];
      });
    },
  };
}

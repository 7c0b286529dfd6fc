import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CardRefs } from '../domain/ports';

/** Each release's Slack message, beside the release in the releases table (`RELEASE#<id>` / `CARD`). */
export function dynamoCardRefs(client: DynamoDBClient, tableName: string): CardRefs {
  const doc = DynamoDBDocumentClient.from(client);
  return {
    async get(releaseId) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `RELEASE#${releaseId}`, sk: 'CARD' },
          ConsistentRead: true,
        }),
      );
      return typeof Item?.channel === 'string' && typeof Item.ts === 'string'
        ? { channel: Item.channel, ts: Item.ts }
        : null;
    },
    async claim(releaseId, ref) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `RELEASE#${releaseId}`, sk: 'CARD', channel: ref.channel, ts: ref.ts },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}

/** The same, in memory, for tests. */
export function memoryCardRefs(): CardRefs {
  const refs = new Map<string, { channel: string; ts: string }>();
  return {
    get: async (releaseId) => refs.get(releaseId) ?? null,
    async claim(releaseId, ref) {
      if (refs.has(releaseId)) return false;
      refs.set(releaseId, { ...ref });
      return true;
    },
  };
}

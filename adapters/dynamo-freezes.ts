import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { EVERY_SERVICE, type Freeze } from '../domain/access';
import type { FreezeStore } from '../domain/ports';
import { freezeSchema } from './freeze-schema';
import { parseStored } from './stored-item';

/** The key of the freeze on `scope` (a service, or `*` for every service). */
export function freezeKey(scope: string) {
  return { pk: `FREEZE#${scope}`, sk: 'FREEZE' } as const;
}

/** The scopes whose freezes stop a release of `service`: its own and the one on every service. */
export function freezeScopesOf(service: string): readonly string[] {
  return [service, EVERY_SERVICE];
}

/**
 * Freezes in the releases table: `FREEZE#<scope>` / `FREEZE`, listed through gsi1 (`FREEZES` / `<scope>`).
 * Setting one is put-if-absent and lifting one is delete-if-present, so two people racing get one answer each.
 */
export function dynamoFreezes(doc: DynamoDBDocumentClient, tableName: string): FreezeStore {
  const table = { doc, name: tableName };
  return {
    freezes: () => allFreezes(table),
    async freezesOf(service) {
      const found = await Promise.all(freezeScopesOf(service).map((scope) => get(table, scope)));
      return found.filter((freeze): freeze is Freeze => freeze !== null);
    },
    freeze: (freeze) => putFreeze(table, freeze),
    unfreeze: (scope) => deleteFreeze(table, scope),
  };
}

interface Table {
  readonly doc: DynamoDBDocumentClient;
  readonly name: string;
}

async function get(table: Table, scope: string): Promise<Freeze | null> {
  const { Item } = await table.doc.send(
    new GetCommand({ TableName: table.name, Key: freezeKey(scope), ConsistentRead: true }),
  );
  return Item ? parseStored(freezeSchema, Item.data, `freeze of ${scope}`) : null;
}

async function allFreezes(table: Table): Promise<Freeze[]> {
  const { Items = [] } = await table.doc.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :freezes',
      ExpressionAttributeValues: { ':freezes': 'FREEZES' },
    }),
  );
  return Items.map((item) => parseStored(freezeSchema, item.data, 'freeze'));
}

/** Put-if-absent: null when stored, or the freeze already in force on the scope. */
async function putFreeze(table: Table, freeze: Freeze): Promise<Freeze | null> {
  const item = { ...freezeKey(freeze.scope), gsi1pk: 'FREEZES', gsi1sk: freeze.scope };
  try {
    await table.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...item, data: JSON.stringify(freeze) },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return null;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const old = error.Item ? unmarshall(error.Item as never) : undefined;
    return old ? parseStored(freezeSchema, old.data, `freeze of ${freeze.scope}`) : get(table, freeze.scope);
  }
}

/** Delete-if-present: the freeze lifted, or null when there was none. */
async function deleteFreeze(table: Table, scope: string): Promise<Freeze | null> {
  try {
    const { Attributes } = await table.doc.send(
      new DeleteCommand({
        TableName: table.name,
        Key: freezeKey(scope),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ? parseStored(freezeSchema, Attributes.data, `freeze of ${scope}`) : null;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return null;
    throw error;
  }
}

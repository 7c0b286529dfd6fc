import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { parse, type ScalarTag } from 'yaml';

/** CloudFormation short-form tags (`!Ref`, `!Sub`…) parse as plain strings: only the table's shape matters here. */
const cfnTags: ScalarTag[] = [
  'Ref',
  'Sub',
  'GetAtt',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
].map((name) => ({ tag: `!${name}`, resolve: (value: string) => value }));

/**
 * The releases table exactly as serverless.yml declares it, as a CreateTable input for DynamoDB Local:
 * the deployed table and the tested one cannot drift apart.
 */
export function releasesTableDefinition(tableName: string): CreateTableCommandInput {
  const path = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../serverless.yml');
  const doc = parse(readFileSync(path, 'utf8'), { customTags: cfnTags }) as {
    resources: { Resources: { ReleasesTable: { Properties: Record<string, unknown> } } };
  };
  const props = doc.resources.Resources.ReleasesTable.Properties;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
  };
}

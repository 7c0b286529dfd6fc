import type { TestProject } from 'vitest/node';
import { spawnLocalDynamo } from '../../local/dynamodb-local';

/** One DynamoDB Local for the whole run; suites create their own tables on it. */
export default async function setup(project: TestProject) {
  const dynamo = await spawnLocalDynamo();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}

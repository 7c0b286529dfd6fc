import { inject } from 'vitest';
import { type LocalDynamo, localClient, spawnLocalDynamo, tableMaker } from '../../local/dynamodb-local';

export type { LocalDynamo };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by global-setup.ts: the run's shared DynamoDB Local. */
    dynamoEndpoint: string;
  }
}

/**
 * The DynamoDB Local that test/support/global-setup.ts started for the whole run. Each suite makes its own
 * tables on it, so suites stay independent without a JVM each.
 */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint) return spawnLocalDynamo();
  const client = localClient(endpoint);
  return { endpoint, client, createReleasesTable: tableMaker(client), stop: async () => client.destroy() };
}

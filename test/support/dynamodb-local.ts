import { inject } from 'vitest';
import { type LocalDynamo, localClient, tableMaker } from '../../local/dynamodb-local';

export type { LocalDynamo };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by global-setup.ts: the run's shared DynamoDB Local. */
    dynamoEndpoint: string;
  }
}

/**
 * The DynamoDB Local that test/support/global-setup.ts started for the integration tier. Each suite makes its own
 * tables on it, so suites stay independent without a JVM each. Only the integration project starts one, so a unit
 * test that asks for it fails here rather than quietly making the unit tier wait for Java.
 */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint)
    throw new Error(
      'This test needs DynamoDB Local: list its file in the integration tier in vitest.config.ts.',
    );
  const client = localClient(endpoint);
  return { endpoint, client, createReleasesTable: tableMaker(client), stop: async () => client.destroy() };
}

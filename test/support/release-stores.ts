import { afterAll, beforeAll } from 'vitest';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { memoryReleaseStore } from '../../adapters/memory-release-store';
import type { ReleaseChange, ReleaseStore } from '../../domain/ports';
import type { QueuedStart } from '../../domain/queue';
import { type LocalDynamo, startLocalDynamo } from './dynamodb-local';
import { newRelease } from './releases';

/**
 * Both release stores, for `describe.each`: in memory, and on DynamoDB Local (started for the file, a fresh table
 * per store; `dynamo()` for tests that write to it directly). The same tests hold both to one contract
 * (release-store, freeze-store and start-queue-store tests).
 */
export function releaseStores(): {
  readonly stores: [string, () => Promise<ReleaseStore>][];
  readonly dynamo: () => LocalDynamo;
} {
  let dynamo: LocalDynamo | undefined;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });
  const local = (): LocalDynamo => {
    if (dynamo === undefined) throw new Error('DynamoDB Local is not up: use the store inside a test');
    return dynamo;
  };
  const stores: [string, () => Promise<ReleaseStore>][] = [
    ['in memory', async () => memoryReleaseStore()],
    [
      'on DynamoDB Local',
      async () => dynamoReleaseStore(local().client, await local().createReleasesTable()),
    ],
  ];
  return { stores, dynamo: local };
}

/** A newly requested release as the change that creates it. */
export function created(id = 'orders-api-r1'): ReleaseChange {
  const { release, history } = newRelease({ id });
  return { release, history, effects: [] };
}

/** A start of orders-api queued behind `behind`, with the release id it reserved. */
export function queued(
  releaseId = 'orders-api-r2',
  behind = 'orders-api-r1',
  toVersion = '1.4.3',
): QueuedStart {
  return {
    releaseId,
    service: 'orders-api',
    toVersion,
    requestedBy: { kind: 'person', id: 'U0ANA', groups: [] },
    queuedAt: '2026-11-22T14:05:00.000Z',
    behind,
    channel: 'C0RELEASES',
    strategy: { kind: 'steps', steps: [10, 100], mirrorFirst: true },
    windowSeconds: 900,
  };
}

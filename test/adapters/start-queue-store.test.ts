import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { StoredItemError } from '../../adapters/stored-item';
import {
  DuplicateEventError,
  QueueChangedError,
  ServiceBusyError,
  ServiceFrozenError,
} from '../../domain/errors';
import type { PendingEffect } from '../../domain/ports';
import { created, queued, releaseStores } from '../support/release-stores';
import { bumped } from '../support/releases';

const { stores, dynamo } = releaseStores();

/** A notice on the card of the release the start waits for, as the queue's use cases write one. */
const notice = (id: string, releaseId = 'orders-api-r1'): PendingEffect => ({
  id: `${releaseId}#queue#${id}`,
  releaseId,
  effect: {
    kind: 'notify',
    notice: { kind: 'startQueued', by: { kind: 'person', id: 'U0ANA' }, version: '1.4.3' },
    severity: 'info',
  },
  createdAt: '2026-11-22T14:05:00.000Z',
});

describe.each(stores)('the start queue in the release store %s', (_name, makeStore) => {
  it('queues a start behind the release holding the service, with its notice, and reads it back', async () => {
    // Prepare
    const store = await makeStore();
    await store.create(created('orders-api-r1'));

    // Act
    await store.queueStart({ queued: queued(), effects: [notice('q1')], eventId: 'slack:T1' }, null);

    // Assess
    expect(await store.queuedStart('orders-api')).toEqual(queued());
    expect(await store.queuedStarts()).toEqual([queued()]);
    expect(await store.queuedStart('billing-api')).toBeNull();
    expect(await store.pendingEffectsOf('orders-api-r1')).toEqual([notice('q1')]);
  });

  it('replaces the queued start only while the one expected is still queued', async () => {
    const store = await makeStore();
    await store.create(created('orders-api-r1'));
    await store.queueStart({ queued: queued('orders-api-r2'), effects: [] }, null);

    const unseen = store.queueStart({ queued: queued('orders-api-r3'), effects: [] }, null);
    await expect(unseen).rejects.toBeInstanceOf(QueueChangedError);
    const stale = store.queueStart({ queued: queued('orders-api-r4'), effects: [] }, 'orders-api-r9');
    await expect(stale).rejects.toBeInstanceOf(QueueChangedError);
    const newer = queued('orders-api-r5', 'orders-api-r1', '1.4.4');
    await store.queueStart({ queued: newer, effects: [] }, 'orders-api-r2');

    expect(await store.queuedStart('orders-api')).toEqual(newer);
  });

  it('lets one of two starts queued at the same moment in', async () => {
    const store = await makeStore();
    await store.create(created('orders-api-r1'));

    const results = await Promise.allSettled([
      store.queueStart({ queued: queued('orders-api-r2'), effects: [] }, null),
      store.queueStart({ queued: queued('orders-api-r3'), effects: [] }, null),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [lost] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(QueueChangedError);
  });

  it('refuses to queue behind a release that no longer holds the service, naming the one that does', async () => {
    const store = await makeStore();
    await store.create(created('orders-api-r7'));

    const behindAnother = store.queueStart(
      { queued: queued('orders-api-r8', 'orders-api-r1'), effects: [] },
      null,
    );

    await expect(behindAnother).rejects.toBeInstanceOf(ServiceBusyError);
    await expect(behindAnother).rejects.toMatchObject({ activeReleaseId: 'orders-api-r7' });
    expect(await store.queuedStart('orders-api')).toBeNull();
  });

  it('refuses a redelivered request and writes nothing', async () => {
    const store = await makeStore();
    await store.create(created('orders-api-r1'));
    await store.queueStart({ queued: queued('orders-api-r2'), effects: [], eventId: 'slack:T1' }, null);

    const again = store.queueStart(
      { queued: queued('orders-api-r3'), effects: [notice('q2')], eventId: 'slack:T1' },
      'orders-api-r2',
    );

    await expect(again).rejects.toBeInstanceOf(DuplicateEventError);
    expect((await store.queuedStart('orders-api'))?.releaseId).toBe('orders-api-r2');
    expect(await store.pendingEffectsOf('orders-api-r1')).toEqual([]);
  });

  it('keeps every other start out while a start is queued, and lets the queued one in once', async () => {
    const store = await makeStore();
    const first = created('orders-api-r1');
    await store.create(first);
    await store.queueStart({ queued: queued('orders-api-r2'), effects: [] }, null);
    const ended = bumped(first.release, { state: 'succeeded' });
    await store.save({ release: ended, history: [], effects: [] }, first.release.version);

    const other = store.create(created('orders-api-r3'));
    await expect(other).rejects.toBeInstanceOf(ServiceBusyError);
    await expect(other).rejects.toMatchObject({ activeReleaseId: null });
    const starts = await Promise.allSettled([
      store.create({ ...created('orders-api-r2'), fromQueue: true }),
      store.create({ ...created('orders-api-r2'), fromQueue: true }),
    ]);

    expect(starts.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [lost] = starts.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(QueueChangedError);
    expect(await store.activeReleaseId('orders-api')).toBe('orders-api-r2');
    expect(await store.queuedStart('orders-api')).toBeNull();
    await expect(store.create({ ...created('orders-api-r2'), fromQueue: true })).rejects.toBeInstanceOf(
      QueueChangedError,
    );
  });

  it('refuses the queued start while the release before it holds the service, and keeps it queued', async () => {
    const store = await makeStore();
    await store.create(created('orders-api-r1'));
    await store.queueStart({ queued: queued('orders-api-r2'), effects: [] }, null);

    const early = store.create({ ...created('orders-api-r2'), fromQueue: true });

    await expect(early).rejects.toMatchObject({ activeReleaseId: 'orders-api-r1' });
    expect((await store.queuedStart('orders-api'))?.releaseId).toBe('orders-api-r2');
    expect(await store.load('orders-api-r2')).toBeNull();
  });

  it('refuses the queued start of a frozen service and keeps it queued', async () => {
    const store = await makeStore();
    await store.create(created('orders-api-r1'));
    await store.queueStart({ queued: queued('orders-api-r2'), effects: [] }, null);
    await store.save(
      {
        release: bumped(created('orders-api-r1').release, { state: 'rolledBack' }),
        history: [],
        effects: [],
      },
      1,
    );
    await store.freeze({
      scope: 'orders-api',
      by: { kind: 'person', id: 'U0BEN' },
      at: '2026-11-22T14:06:00.000Z',
    });

    const frozen = store.create({ ...created('orders-api-r2'), fromQueue: true });

    await expect(frozen).rejects.toBeInstanceOf(ServiceFrozenError);
    expect((await store.queuedStart('orders-api'))?.releaseId).toBe('orders-api-r2');
  });

  it('drops the named queued start once, with its notice, and never a newer one', async () => {
    const store = await makeStore();
    await store.create(created('orders-api-r1'));
    await store.queueStart({ queued: queued('orders-api-r2'), effects: [] }, null);

    const stale = await store.dropQueuedStart('orders-api', 'orders-api-r9', [notice('stale')]);
    const dropped = await store.dropQueuedStart('orders-api', 'orders-api-r2', [notice('cancelled')]);
    const again = await store.dropQueuedStart('orders-api', 'orders-api-r2', [notice('again')]);

    expect([stale, dropped, again]).toEqual([false, true, false]);
    expect(await store.queuedStart('orders-api')).toBeNull();
    expect(await store.queuedStarts()).toEqual([]);
    expect(await store.pendingEffectsOf('orders-api-r1')).toEqual([notice('cancelled')]);
  });
});

describe('the DynamoDB start queue', () => {
  it('refuses to read a queued start that does not parse', async () => {
    const table = await dynamo().createReleasesTable();
    const store = dynamoReleaseStore(dynamo().client, table);
    await dynamo().client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'SERVICE#orders-api' },
          sk: { S: 'QUEUE' },
          releaseId: { S: 'orders-api-r2' },
          data: { S: '{"releaseId":"orders-api-r2","toVersion":42}' },
        },
      }),
    );

    await expect(store.queuedStart('orders-api')).rejects.toBeInstanceOf(StoredItemError);
  });
});

import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { StoredItemError } from '../../adapters/stored-item';
import { DuplicateEventError, ServiceBusyError, VersionConflictError } from '../../domain/errors';
import type { PendingEffect } from '../../domain/ports';
import type { HistoryEntry, Release } from '../../domain/types';
import { created, releaseStores } from '../support/release-stores';
import { bumped, newRelease, T0 } from '../support/releases';

const { stores, dynamo } = releaseStores();

function entry(release: Release, note: string): HistoryEntry {
  return {
    seq: release.historyLength,
    at: release.updatedAt,
    actor: { kind: 'system', id: 'test' },
    cause: 'timerElapsed',
    from: 'deployingCanary',
    to: release.state,
    note: { kind: 'legacy', text: note },
  };
}

describe.each(stores)('the release store %s', (_name, makeStore) => {
  it('creates a release, takes the service lock, and reads both back', async () => {
    const store = await makeStore();
    const change = created();

    await store.create(change);

    expect(await store.load('orders-api-r1')).toEqual(change.release);
    expect(await store.activeReleaseId('orders-api')).toBe('orders-api-r1');
    expect(await store.history('orders-api-r1')).toEqual(change.history);
  });

  it('refuses a second active release for the same service and names the holder', async () => {
    const store = await makeStore();
    await store.create(created('orders-api-r1'));

    const second = store.create(created('orders-api-r2'));

    await expect(second).rejects.toBeInstanceOf(ServiceBusyError);
    await expect(second).rejects.toMatchObject({ activeReleaseId: 'orders-api-r1' });
    expect(await store.load('orders-api-r2')).toBeNull();
  });

  it('never overwrites an existing release with a new one of the same id', async () => {
    const store = await makeStore();
    const first = created('orders-api-r1');
    await store.create(first);
    await store.save(
      { release: bumped(first.release, { state: 'rolledBack' }), history: [], effects: [] },
      1,
    );

    await expect(store.create(created('orders-api-r1'))).rejects.toBeInstanceOf(VersionConflictError);
    expect((await store.load('orders-api-r1'))?.state).toBe('rolledBack');
  });

  it('lets exactly one of two concurrent writers of the same version win', async () => {
    const store = await makeStore();
    const { release } = created();
    await store.create(created());
    const a = bumped(release, { state: 'startingMirror' });
    const b = bumped(release, { state: 'rollingBack' });

    const results = await Promise.allSettled([
      store.save({ release: a, history: [entry(a, 'a')], effects: [] }, release.version),
      store.save({ release: b, history: [entry(b, 'b')], effects: [] }, release.version),
    ]);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(VersionConflictError);
    const stored = await store.load(release.id);
    expect(stored?.version).toBe(release.version + 1);
    expect(await store.history(release.id)).toHaveLength(2);
  });

  it('reports the stored release with a version conflict', async () => {
    const store = await makeStore();
    const { release } = created();
    await store.create(created());
    const next = bumped(release);
    await store.save({ release: next, history: [entry(next, 'first')], effects: [] }, release.version);

    const stale = store.save({ release: next, history: [], effects: [] }, release.version);

    await expect(stale).rejects.toMatchObject({ current: { version: next.version } });
  });

  it('refuses a redelivered event id and changes nothing', async () => {
    const store = await makeStore();
    const { release } = created();
    await store.create(created());
    const once = bumped(release);
    await store.save(
      { release: once, history: [entry(once, 'once')], effects: [], eventId: 'evt-1' },
      release.version,
    );
    const twice = bumped(once);

    const redelivered = store.save(
      { release: twice, history: [entry(twice, 'twice')], effects: [], eventId: 'evt-1' },
      once.version,
    );

    await expect(redelivered).rejects.toBeInstanceOf(DuplicateEventError);
    expect((await store.load(release.id))?.version).toBe(once.version);
    expect(await store.history(release.id)).toHaveLength(2);
  });

  it('releases the service lock when the release reaches a terminal state', async () => {
    const store = await makeStore();
    const { release } = created();
    await store.create(created());
    const done = bumped(release, { state: 'rolledBack' });

    await store.save({ release: done, history: [entry(done, 'done')], effects: [] }, release.version);

    expect(await store.activeReleaseId('orders-api')).toBeNull();
    expect(await store.activeReleases()).toEqual([]);
    await expect(store.create(created('orders-api-r2'))).resolves.toBeUndefined();
  });

  it('keeps effects in the outbox until they are completed', async () => {
    const store = await makeStore();
    const { release, effects } = newRelease();
    const pending: PendingEffect[] = effects.map((effect, i) => ({
      id: `${release.id}#1#${i}`,
      releaseId: release.id,
      effect,
      createdAt: T0,
    }));
    await store.create({ ...created(), effects: pending });

    expect(await store.pendingEffects('2026-11-22T13:59:59.000Z')).toEqual([]);
    expect(await store.pendingEffects(T0)).toEqual(pending);
    await store.completeEffects(pending.slice(0, 1));
    expect(await store.pendingEffects(T0)).toEqual(pending.slice(1));
  });

  it('finds steps past their deadline and the release that sent a command', async () => {
    const store = await makeStore();
    const { release } = created();
    await store.create(created());
    const run = release.run;
    if (run?.kind !== 'hostOperation') throw new Error('a new release runs its first host operation');
    const sent = bumped(release, { run: { ...run, commandId: 'cmd-42' } });
    await store.save({ release: sent, history: [entry(sent, 'sent')], effects: [] }, release.version);

    expect(await store.dueDeadlines(T0)).toEqual([]);
    expect(await store.dueDeadlines(run.deadlineAt)).toEqual([
      { releaseId: release.id, stepId: run.stepId, deadlineAt: run.deadlineAt },
    ]);
    expect(await store.releaseIdForCommand('cmd-42')).toBe(release.id);
    expect(await store.releaseIdForCommand('cmd-unknown')).toBeNull();
  });

  it('lists a service’s releases newest first', async () => {
    const store = await makeStore();
    const first = newRelease({ id: 'orders-api-r1', now: '2026-11-20T10:00:00.000Z' });
    await store.create({ release: first.release, history: first.history, effects: [] });
    const done = bumped(first.release, { state: 'succeeded' });
    await store.save({ release: done, history: [entry(done, 'done')], effects: [] }, first.release.version);
    const second = newRelease({ id: 'orders-api-r2', now: '2026-11-21T10:00:00.000Z' });
    await store.create({ release: second.release, history: second.history, effects: [] });

    const recent = await store.recentReleases('orders-api', 5);

    expect(recent.map((r) => r.id)).toEqual(['orders-api-r2', 'orders-api-r1']);
    expect(await store.recentReleases('payments-api', 5)).toEqual([]);
  });
});

describe('the DynamoDB release store', () => {
  it('refuses to load an item that does not parse as a release', async () => {
    const table = await dynamo().createReleasesTable();
    const store = dynamoReleaseStore(dynamo().client, table);
    await dynamo().client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'RELEASE#broken' },
          sk: { S: 'RELEASE' },
          version: { N: '1' },
          data: { S: '{"id":"broken"}' },
        },
      }),
    );

    await expect(store.load('broken')).rejects.toBeInstanceOf(StoredItemError);
  });
});

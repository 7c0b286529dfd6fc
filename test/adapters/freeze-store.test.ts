import { describe, expect, it } from 'vitest';
import { EVERY_SERVICE, type Freeze } from '../../domain/access';
import { ServiceFrozenError } from '../../domain/errors';
import { created, releaseStores } from '../support/release-stores';

const { stores } = releaseStores();

const freeze = (scope: string, by = 'U0APPROVER1'): Freeze => ({
  scope,
  by: { kind: 'person', id: by, groups: [] },
  at: '2026-11-22T14:00:00.000Z',
  reason: 'quarter close <!channel>',
});

describe.each(stores)('freezes in the release store %s', (_name, makeStore) => {
  it('records a freeze with its actor, time and reason, and reads it back', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    const existing = await store.freeze(freeze('orders-api'));

    // Assess
    expect(existing).toBeNull();
    expect(await store.freezesOf('orders-api')).toEqual([freeze('orders-api')]);
    expect(await store.freezesOf('billing-api')).toEqual([]);
    expect(await store.freezes()).toEqual([freeze('orders-api')]);
  });

  it('keeps the first of two freezes on the same scope and hands the second its author', async () => {
    const store = await makeStore();
    await store.freeze(freeze('orders-api', 'U0APPROVER1'));

    const existing = await store.freeze(freeze('orders-api', 'U0APPROVER2'));

    expect(existing?.by.id).toBe('U0APPROVER1');
    expect((await store.freezesOf('orders-api')).map((f) => f.by.id)).toEqual(['U0APPROVER1']);
  });

  it('applies a freeze on every service to each service', async () => {
    const store = await makeStore();

    await store.freeze(freeze(EVERY_SERVICE));

    expect(await store.freezesOf('billing-api')).toEqual([freeze(EVERY_SERVICE)]);
  });

  it('lifts a freeze once: the second unfreeze finds nothing', async () => {
    const store = await makeStore();
    await store.freeze(freeze('orders-api'));

    const lifted = await store.unfreeze('orders-api');
    const again = await store.unfreeze('orders-api');

    expect(lifted).toEqual(freeze('orders-api'));
    expect(again).toBeNull();
    expect(await store.freezesOf('orders-api')).toEqual([]);
  });

  it('refuses to create a release of a frozen service in the same write that takes the lock', async () => {
    const store = await makeStore();
    await store.freeze(freeze(EVERY_SERVICE));

    const attempt = store.create(created());

    await expect(attempt).rejects.toBeInstanceOf(ServiceFrozenError);
    expect(await store.activeReleaseId('orders-api')).toBeNull();
    await store.unfreeze(EVERY_SERVICE);
    await store.create(created());
    expect(await store.activeReleaseId('orders-api')).toBe('orders-api-r1');
  });
});

import { describe, expect, it } from 'vitest';
import { memoryReleaseStore } from '../../adapters/memory-release-store';
import { EVERY_SERVICE } from '../../domain/access';
import { APPROVER, REQUESTER, STRANGER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

const freezeAll = {
  scope: EVERY_SERVICE,
  by: { kind: 'person', id: APPROVER } as const,
  at: '2026-11-22T13:00:00.000Z',
  reason: 'incident',
};

describe('starting a release under the access policy', () => {
  it('refuses a stranger with the policy denial and writes nothing', async () => {
    // Prepare
    const h = harness({ configs: [serviceConfig({ requesters: { users: [REQUESTER] } })] });

    // Act
    const result = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: { kind: 'person', id: STRANGER },
      channel: 'C0RELEASES',
    });

    // Assess
    expect(result).toMatchObject({ ok: false, reason: 'not-a-requester' });
    expect(await h.store.activeReleases()).toEqual([]);
  });

  it('still refuses, naming the freeze, when the freeze lands between the check and the write', async () => {
    const store = memoryReleaseStore();
    // The check reads no freeze; the freeze is set before the create, as a racing `/canary freeze all` would.
    const racing = {
      ...store,
      freezesOf: async (service: string) => {
        const seen = await store.freezesOf(service);
        await store.freeze(freezeAll);
        racing.freezesOf = store.freezesOf;
        return seen;
      },
    };
    const h = harness({ store: racing });

    const result = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: { kind: 'pipeline', id: 'orders-ci' },
    });

    expect(result).toMatchObject({ ok: false, reason: 'frozen', denial: { freezes: [freezeAll] } });
    expect(result.ok ? '' : result.message).toContain('every service frozen by U0APPROVER1');
    expect(await store.activeReleases()).toEqual([]);
  });
});

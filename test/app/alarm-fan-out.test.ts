import { describe, expect, it } from 'vitest';
import type { Release } from '../../domain/types';
import { serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { requester } from './scenarios-fixtures';

const SHARED = 'canary-edge-5xx';
const watchingShared = (service: string) =>
  serviceConfig({
    service,
    fleets: {
      stable: { tags: { 'canary-agent:fleet': `${service}-stable` } },
      canary: { tags: { 'canary-agent:fleet': `${service}-canary` } },
    },
    alarms: { canary: [`${service}-canary-5xx`], stable: [SHARED] },
  });

/**
 * One alarm watched by many releases (`npm run bench -- scale`: 50 releases, one shared edge alarm): each release
 * rolls back on its own, so a slow one (a throttled Slack update, a slow SendCommand) holds no other back.
 */
describe('an alarm watched by several releases', () => {
  it('starts every rollback at once: the second release rolls back while the first is still busy', async () => {
    let freeFirst: (how: string) => void = () => {};
    const first = new Promise<string>((resolve) => {
      freeFirst = resolve;
    });
    const timeout = (ms: number) =>
      new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), ms));
    let firstFreedBy = '';
    const h = harness({
      configs: [watchingShared('orders-api'), watchingShared('billing-api')],
      versions: { 'orders-api': '1.4.1', 'billing-api': '2.0.0' },
      notifier: {
        async releaseChanged(release: Release) {
          if (release.state !== 'rollingBack') return;
          if (release.service === 'billing-api') freeFirst('billing-api rolling back');
          // orders-api's rollback notice stalls until billing-api's rollback has begun (or 1 s has passed).
          else firstFreedBy = await Promise.race([first, timeout(1000)]);
        },
      },
    });
    const ids: string[] = [];
    for (const service of ['orders-api', 'billing-api']) {
      const started = await h.service.start({ service, toVersion: '9.9.9', requestedBy: requester });
      if (!started.ok) throw new Error(started.message);
      ids.push(started.release.id);
      await h.finishCommand('deployCanary');
      await h.finishCommand('startMirror');
    }

    const results = await h.service.alarmChanged(
      { alarmName: SHARED, state: 'ALARM', reason: 'Threshold Crossed', at: h.now() },
      'alarm-event-1',
    );

    expect(results.map((r) => r.release.state)).toEqual(['rollingBack', 'rollingBack']);
    expect(firstFreedBy).toBe('billing-api rolling back');
    for (const id of ids) expect((await h.load(id)).state).toBe('rollingBack');
  });
});

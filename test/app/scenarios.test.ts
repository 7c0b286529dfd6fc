import { describe, expect, it } from 'vitest';
import { harness } from '../support/harness';
import { APPROVER, REQUESTER } from '../support/service-config';

const requester = { kind: 'person', id: REQUESTER } as const;
const approver = { kind: 'person', id: APPROVER } as const;

async function startOrders(h: ReturnType<typeof harness>) {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
  });
  if (!started.ok) throw new Error(started.message);
  return started.release.id;
}

async function throughVerification(h: ReturnType<typeof harness>, id: string) {
  await h.finishCommand('deployCanary');
  await h.finishCommand('startMirror');
  return h.elapseWindow(id);
}

describe('a mirror release, end to end', () => {
  it('walks the happy path to succeeded, with the new version recorded and nginx back on stable', async () => {
    const h = harness();
    const id = await startOrders(h);
    expect((await h.load(id)).state).toBe('deployingCanary');

    await throughVerification(h, id);
    expect((await h.load(id)).state).toBe('awaitingApproval');

    await h.service.apply(id, { kind: 'approved', actor: approver });
    expect((await h.load(id)).state).toBe('stoppingMirror');
    await h.finishCommand('stopMirror');
    await h.finishCommand('promote');
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('succeeded');
    expect(release.exposure).not.toContain('stableMirroring');
    expect(h.recordedVersions).toEqual([{ service: 'orders-api', version: '1.4.2' }]);
    expect(h.commands.map((c) => c.operation.operation)).toEqual([
      'deployCanary',
      'startMirror',
      'stopMirror',
      'promote',
      'removeCanary',
    ]);
    expect(await h.store.activeReleaseId('orders-api')).toBeNull();
  });
});

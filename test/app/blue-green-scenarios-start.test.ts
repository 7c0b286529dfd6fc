import { describe, expect, it } from 'vitest';
import { BLUE_GREEN, blueGreenConfig, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

const requester = { kind: 'person', id: REQUESTER } as const;
const { listenerArn, green } = BLUE_GREEN;

describe('starting on a blue/green service', () => {
  it('refuses blue/green for a service that has no colours, and says what to do instead', async () => {
    const h = harness({ configs: [serviceConfig()] });
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'blueGreen' },
    });
    expect(started).toMatchObject({ ok: false, reason: 'blue-green-not-configured' });
    expect(started.ok ? '' : started.message).toContain('no blueGreen section');
  });

  it('refuses to start while the listener forwards to neither colour', async () => {
    const h = harness({ configs: [blueGreenConfig()], listeners: { [listenerArn]: 'arn:other' } });
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
    });
    expect(started).toMatchObject({ ok: false, reason: 'listener-not-blue-or-green' });
    expect(await h.store.activeReleaseId('orders-api')).toBeNull();
  });

  it('refuses to start when the listener cannot be read', async () => {
    const h = harness({ configs: [blueGreenConfig()], listeners: {} });
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
    });
    expect(started).toMatchObject({ ok: false, reason: 'listener-unreadable' });
    expect(started.ok ? '' : started.message).toContain('not found');
  });

  it('runs a mirror release on the live colour: it is the stable fleet', async () => {
    const h = harness({ configs: [blueGreenConfig()], listeners: { [listenerArn]: green.targetGroupArn } });
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
    });
    if (!started.ok) throw new Error(started.message);
    await h.finishCommand('deployCanary');
    expect(h.lastCommand('startMirror').operation.targets).toEqual(green.tags);
    expect(started.release.policy.watchedAlarms).toEqual([
      'orders-api-canary-5xx',
      'orders-api-stable-health',
    ]);
  });
});

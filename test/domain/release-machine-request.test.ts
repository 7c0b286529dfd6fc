import { describe, expect, it } from 'vitest';
import { requestRelease } from '../../domain/release-request';
import { configInput, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { newRelease, T0 } from '../support/releases';
import { finishRun, requester } from './release-machine-fixtures';

describe('requesting a release', () => {
  it('starts by deploying the canary and posts the card', () => {
    const { release, effects, history } = newRelease();

    expect(release.state).toBe('deployingCanary');
    expect(effects.map((e) => e.kind)).toEqual(['runHostOperation', 'notify']);
    expect(effects[0]).toMatchObject({
      operation: 'deployCanary',
      fleet: 'canary',
      parameters: { Version: '1.4.2', Service: 'orders-api' },
    });
    expect(history).toEqual([
      expect.objectContaining({
        seq: 1,
        actor: { kind: 'person', id: REQUESTER },
        cause: 'requested',
        to: 'deployingCanary',
      }),
    ]);
  });

  it('waits for the team’s own stack when the agent does not build it', () => {
    const config = serviceConfig({
      canaryStack: { elbHost: 'c.elb.amazonaws.com', provisionedBy: 'external' },
    });

    const { release, effects } = newRelease({ config });

    expect(release.state).toBe('awaitingCanaryStack');
    expect(effects.map((e) => e.kind)).toEqual(['notify']);
  });

  it.each([
    [{ toVersion: '1.4.1' }, 'same-version'],
    [{ toVersion: '1.4.2;reboot' }, 'invalid-version'],
    [{ percent: 75 }, 'percent-out-of-bounds'],
    [{ percent: 10, strategy: { kind: 'steps', steps: [10, 100] } }, 'percent-without-mirror'],
    [{ windowSeconds: 30 }, 'window-out-of-bounds'],
  ] as const)('refuses %o with %s', (overrides, reason) => {
    const result = requestRelease({
      releaseId: 'r',
      config: serviceConfig(),
      fromVersion: '1.4.1',
      toVersion: '1.4.2',
      requestedBy: requester,
      now: T0,
      ...overrides,
    });

    expect(result).toMatchObject({ ok: false, reason });
  });

  it('refuses to mirror a service nobody confirmed as read-only or idempotent', () => {
    const config = serviceConfig({ mirror: {} });

    const result = requestRelease({
      releaseId: 'r',
      config,
      fromVersion: '1',
      toVersion: '2',
      requestedBy: requester,
      now: T0,
    });

    expect(result).toMatchObject({ ok: false, reason: 'mirror-not-acknowledged' });
    expect(!result.ok && result.message).toMatch(/read-only or idempotent/);
  });

  it('gives Envoy the nginx timeouts and the mirror percentage', () => {
    const config = serviceConfig({ proxy: { readTimeoutSeconds: 30 } });
    let r = newRelease({ config }).release;

    r = finishRun(r, 'c1');

    const step = r.plan[r.cursor];
    expect(step).toMatchObject({
      operation: 'startMirror',
      parameters: {
        ReadTimeout: '30',
        ConnectTimeout: '60',
        MirrorPercent: '10',
        MirrorHost: configInput().canaryStack.elbHost,
      },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import type { ServiceConfig } from '../../domain/service-config';
import { historyLines, releaseLine } from '../../handlers/slack/summaries';
import {
  APPROVER,
  BLUE_GREEN,
  blueGreenConfig,
  REQUESTER,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';
import { harness } from '../support/harness';

const requester = { kind: 'person', id: REQUESTER } as const;
const approver = { kind: 'person', id: APPROVER } as const;
const stranger = { kind: 'person', id: STRANGER } as const;
const { listenerArn, blue, green } = BLUE_GREEN;
type Harness = ReturnType<typeof harness>;

/** orders-api 1.4.1 → 1.4.2 by mirroring, all the way to succeeded. */
async function succeededMirror(h: Harness) {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
  });
  if (!started.ok) throw new Error(started.message);
  const id = started.release.id;
  await h.finishCommand('deployCanary');
  await h.finishCommand('startMirror');
  await h.elapseWindow(id);
  await h.service.apply(id, { kind: 'approved', actor: approver });
  await h.finishCommand('stopMirror');
  await h.finishCommand('promote');
  await h.finishCommand('removeCanary');
  return id;
}

/** orders-api 1.4.1 (blue) → 1.4.2 (green), all the way to succeeded. */
async function succeededBlueGreen(h: Harness, toVersion = '1.4.2') {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion,
    requestedBy: requester,
    strategy: { kind: 'blueGreen' },
  });
  if (!started.ok) throw new Error(started.message);
  await h.finishCommand('deployIdle');
  await h.elapseWindow(started.release.id);
  await h.service.apply(started.release.id, { kind: 'approved', actor: approver });
  return started.release.id;
}

const mirrorHarness = (
  config: ServiceConfig = serviceConfig({ promotion: { batchSize: '2', maxErrors: '1' } }),
) => harness({ configs: [config] });

describe('/canary revert', () => {
  it('promotes the previous version on the stable fleet with the promotion’s batches and maxErrors, no canary, no window', async () => {
    const h = mirrorHarness();
    const target = await succeededMirror(h);

    const reverted = await h.service.revert({
      service: 'orders-api',
      requestedBy: approver,
      requestId: 'click-1',
    });
    if (!reverted.ok) throw new Error(reverted.message);
    const id = reverted.release.id;
    expect(reverted.target.id).toBe(target);
    expect(await h.load(id)).toMatchObject({
      state: 'promoting',
      fromVersion: '1.4.2',
      toVersion: '1.4.1',
      strategy: { kind: 'revert', of: target },
    });
    expect(h.lastCommand().operation).toMatchObject({
      operation: 'promote',
      fleet: 'stable',
      parameters: { Version: '1.4.1', PreviousVersion: '1.4.2' },
      rateControl: { maxConcurrency: '2', maxErrors: '1' },
    });

    const running = await h.load(id);
    expect(releaseLine(running)).toContain('revert: promoted on the stable fleet, no canary, no window');
    expect(JSON.stringify(releaseCard(running, h.now()).blocks)).toContain(
      'Promoting 1.4.1 on the stable fleet',
    );
    await h.finishCommand('promote');

    const done = await h.load(id);
    expect(historyLines('orders-api', await h.store.recentReleases('orders-api', 10))).toContain(
      '1.4.2 → 1.4.1 *succeeded*, revert',
    );
    expect(done.state).toBe('succeeded');
    expect(h.versions.get('orders-api')).toBe('1.4.1');
    expect(h.commands.filter((c) => c.releaseId === id).map((c) => c.operation.operation)).toEqual([
      'promote',
    ]);
    expect((await h.store.recentReleases('orders-api', 5)).map((r) => r.id)).toEqual([id, target]);
  });

  it('puts the reverted version back when its own promotion fails beyond maxErrors', async () => {
    const h = mirrorHarness(serviceConfig());
    await succeededMirror(h);
    const reverted = await h.service.revert({ service: 'orders-api', requestedBy: approver });
    if (!reverted.ok) throw new Error(reverted.message);

    await h.finishCommand('promote', 'failed');

    expect(h.lastCommand().operation).toMatchObject({
      operation: 'restoreStable',
      parameters: { Version: '1.4.2' },
    });
  });

  it('refuses a stranger, and lets the requester only when the service allows it', async () => {
    const h = mirrorHarness(serviceConfig({ approvals: { users: [APPROVER] } }));
    await succeededMirror(h);

    const byStranger = await h.service.revert({ service: 'orders-api', requestedBy: stranger });
    const byRequester = await h.service.revert({ service: 'orders-api', requestedBy: requester });

    expect(byStranger).toMatchObject({ ok: false, reason: 'not-authorized' });
    expect(byRequester).toMatchObject({ ok: false, reason: 'not-authorized' });

    const allowing = mirrorHarness(
      serviceConfig({ approvals: { users: [APPROVER] }, revert: { byRequester: true } }),
    );
    await succeededMirror(allowing);
    const allowed = await allowing.service.revert({ service: 'orders-api', requestedBy: requester });
    expect(allowed.ok).toBe(true);
  });

  it('refuses with nothing succeeded, with a release in progress, in a freeze, and for a release that changed since the confirm', async () => {
    const h = mirrorHarness();
    expect(await h.service.revert({ service: 'orders-api', requestedBy: approver })).toMatchObject({
      ok: false,
      reason: 'nothing-to-revert',
    });

    const target = await succeededMirror(h);
    await h.store.freeze({ scope: 'orders-api', by: approver, at: h.now(), reason: 'quarter close' });
    const frozen = await h.service.revert({ service: 'orders-api', requestedBy: approver });
    expect(frozen).toMatchObject({ ok: false, reason: 'frozen' });
    expect(frozen.ok ? '' : frozen.message).toContain('quarter close');
    await h.store.unfreeze('orders-api');

    const stale = await h.service.revert({
      service: 'orders-api',
      requestedBy: approver,
      targetReleaseId: 'orders-api-r9',
    });
    expect(stale).toMatchObject({ ok: false, reason: 'stale-revert' });

    const first = await h.service.revert({
      service: 'orders-api',
      requestedBy: approver,
      targetReleaseId: target,
    });
    expect(first.ok).toBe(true);
    const second = await h.service.revert({
      service: 'orders-api',
      requestedBy: approver,
      targetReleaseId: target,
    });
    expect(second).toMatchObject({ ok: false, reason: 'release-busy' });
  });

  it('starts one revert when a click is delivered twice (the second finds it running)', async () => {
    const h = mirrorHarness();
    await succeededMirror(h);

    await h.service.revert({ service: 'orders-api', requestedBy: approver, requestId: 'slack:T1' });
    const again = await h.service.revert({
      service: 'orders-api',
      requestedBy: approver,
      requestId: 'slack:T1',
    });

    expect(again).toMatchObject({ ok: false, reason: 'release-busy' });
    expect(
      (await h.store.recentReleases('orders-api', 5)).filter((r) => r.strategy.kind === 'revert'),
    ).toHaveLength(1);
  });
});

describe('/canary revert on a blue/green service', () => {
  const blueGreenHarness = () =>
    harness({ configs: [blueGreenConfig()], listeners: { [listenerArn]: blue.targetGroupArn } });

  it('switches the listener back to the colour that still runs the previous version', async () => {
    const h = blueGreenHarness();
    const target = await succeededBlueGreen(h);
    expect(h.listeners.forwardsTo(listenerArn)).toBe(green.targetGroupArn);

    const reverted = await h.service.revert({ service: 'orders-api', requestedBy: approver });
    if (!reverted.ok) throw new Error(reverted.message);

    const done = await h.load(reverted.release.id);
    expect(done).toMatchObject({
      state: 'succeeded',
      strategy: { kind: 'revert', of: target, colours: { from: 'green', to: 'blue' } },
    });
    expect(h.listeners.forwardsTo(listenerArn)).toBe(blue.targetGroupArn);
    expect(h.versions.get('orders-api')).toBe('1.4.1');
    expect(h.commands.filter((c) => c.releaseId === done.id)).toEqual([]);
  });

  it('refuses when a later release deployed over the previous colour, or the listener was moved by hand', async () => {
    const h = blueGreenHarness();
    await succeededBlueGreen(h);
    // 1.4.3 goes to blue (the idle colour) and is rolled back: blue no longer runs 1.4.1.
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.3',
      requestedBy: requester,
      strategy: { kind: 'blueGreen' },
    });
    if (!started.ok) throw new Error(started.message);
    await h.service.apply(started.release.id, { kind: 'abortRequested', actor: requester });
    await h.finishCommand('deployIdle', 'cancelled');
    expect((await h.load(started.release.id)).state).toBe('rolledBack');

    const overwritten = await h.service.revert({ service: 'orders-api', requestedBy: approver });
    expect(overwritten).toMatchObject({ ok: false, reason: 'previous-colour-changed' });
    expect(overwritten.ok ? '' : overwritten.message).toContain('blue no longer runs 1.4.1');

    const moved = blueGreenHarness();
    await succeededBlueGreen(moved);
    await moved.listeners.switch({ listenerArn }, green.targetGroupArn, blue.targetGroupArn);
    expect(await moved.service.revert({ service: 'orders-api', requestedBy: approver })).toMatchObject({
      ok: false,
      reason: 'listener-moved',
    });
  });
});

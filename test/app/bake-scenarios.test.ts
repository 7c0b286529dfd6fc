import { describe, expect, it } from 'vitest';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import { describeNotice } from '../../domain/notice';
import { parseServiceConfig } from '../../domain/service-config';
import { configInput, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { approver, type Harness, startOrders, toApproval } from './scenarios-fixtures';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0000000000000b1e';
const HOSTS = ['i-01', 'i-02'];

/** orders-api behind one target group with a 10-minute bake, promoted (both batches) so that it bakes. */
async function toBake() {
  const config = serviceConfig({
    fleets: {
      stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' }, targetGroupArns: [TG] },
      canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } },
    },
    promotion: { batchSize: '1', bakeSeconds: 600 },
  });
  const h = harness({ configs: [config], targetGroups: { [TG]: HOSTS } });
  const id = await startOrders(h);
  await toApproval(h, id);
  await h.service.apply(id, { kind: 'approved', actor: approver });
  await h.finishCommand('stopMirror');
  for (const host of HOSTS) await h.finishCommand('promote', 'success', [host]);
  return { h, id };
}

const said = (h: Harness) => h.notices.map((n) => describeNotice(n.notice.notice));

describe('a bake after promotion', () => {
  it('watches the stable fleet for the bake time; the release succeeds only after it, with every alarm OK', async () => {
    const { h, id } = await toBake();
    let release = await h.load(id);
    expect(release.state).toBe('baking');
    expect(release.run?.kind === 'validate' && release.run.step.alarms).toEqual(['orders-api-stable-health']);
    const card = JSON.stringify(releaseCard(release, h.now()).blocks);
    expect(card).toContain('Baking: the whole stable fleet runs 1.4.2');
    expect(card).toContain('The bake ends');
    expect(card).toContain('about 10 min left');

    await h.elapseWindow(id);
    await h.finishCommand('removeCanary');
    release = await h.load(id);
    expect(release.state).toBe('succeeded');
    expect(said(h)).toContain('Bake over: the stable fleet stayed quiet on the new version.');
  });

  it('puts the previous version back, batch by batch and drained, when a stable alarm fires during the bake', async () => {
    const { h, id } = await toBake();
    await h.service.apply(id, {
      kind: 'alarmChanged',
      alarmName: 'orders-api-stable-health',
      state: 'ALARM',
      reason: 'Threshold Crossed: 5xx above 1%',
      at: h.now(),
    });
    expect((await h.load(id)).state).toBe('rollingBack');
    for (const host of HOSTS) {
      expect(h.lastCommand('restoreStable').operation.instanceIds).toEqual([host]);
      expect(h.targetGroups.serving(TG)).toEqual(HOSTS.filter((other) => other !== host));
      await h.finishCommand('restoreStable', 'success', [host]);
    }
    await h.finishCommand('removeCanary');

    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(release.rollback?.reason.kind).toBe('alarm');
    expect(h.targetGroups.serving(TG)).toEqual(HOSTS);
    expect(h.recordedVersions.at(-1)).toEqual({ service: 'orders-api', version: '1.4.1' });
  });

  it('is refused in a configuration that names no stable alarm to watch', () => {
    const result = parseServiceConfig(
      configInput({
        alarms: { canary: ['orders-api-canary-5xx'], stable: [] },
        promotion: { bakeSeconds: 300 },
      }),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toContain(
      'a bake watches the stable fleet: name its alarms in alarms.stable, or set bakeSeconds to 0',
    );
  });
});

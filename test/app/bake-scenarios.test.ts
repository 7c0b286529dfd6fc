import { describe, expect, it } from 'vitest';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import { describeNotice } from '../../domain/notice';
import { parseServiceConfig } from '../../domain/service-config';
import { addSeconds } from '../../domain/time';
import { configInput, serviceConfig } from '../../local/fixture-service-config';
import { ALB, reading } from '../support/analysis';
import { harness } from '../support/harness';
import { approver, type Harness, startOrders, toApproval } from './scenarios-fixtures';

const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0000000000000b1e';
const HOSTS = ['i-01', 'i-02'];

/**
 * orders-api behind one target group with a 10-minute bake, promoted (both batches) so that it bakes; with
 * `analysed`, the canary analysis judges its window and the bake judges the fleet against before the release.
 */
async function toBake(options: { analysed?: boolean } = {}) {
  const config = serviceConfig({
    fleets: {
      stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' }, targetGroupArns: [TG] },
      canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } },
    },
    promotion: { batchSize: '1', bakeSeconds: 600, bakeAnalysis: options.analysed ?? false },
    ...(options.analysed
      ? {
          validation: { defaultWindowSeconds: 300, minWindowSeconds: 300 },
          analysis: { loadBalancer: ALB, minimumRequests: 100 },
        }
      : {}),
  });
  const h = harness({ configs: [config], targetGroups: { [TG]: HOSTS } });
  h.answerMetrics(reading());
  const id = await startOrders(h);
  if (options.analysed) {
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
    for (let minute = 1; minute < 5; minute++) await h.elapseInterval(id);
    await h.elapseWindow(id);
  } else {
    await toApproval(h, id);
  }
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

  it('judges the promoted fleet against its own figures before the release, and succeeds when they hold', async () => {
    const { h, id } = await toBake({ analysed: true });
    let release = await h.load(id);
    expect(release.state).toBe('baking');
    const bakeStart = release.run?.startedAt as string;

    await h.elapseInterval(id);
    const read = h.metricReads.at(-1);
    // The fleet's own ALB target group on both sides: now, and the bake's length before the release began.
    expect(read).toEqual({
      from: bakeStart,
      to: addSeconds(bakeStart, 60),
      periodSeconds: 60,
      baseline: 'earlierSpan',
      baselineSpan: { from: addSeconds(release.requestedAt, -600), to: release.requestedAt },
    });
    const bake = release.policy.bakeAnalysis;
    const judged = bake?.metrics.flatMap((m) => (m.role === 'judged' ? [m] : [])) ?? [];
    const errorRate = judged.find((m) => m.definition.name === 'errorRate');
    expect(errorRate?.queries[0]?.canary.dimensions).toEqual(errorRate?.queries[0]?.stable.dimensions);
    expect(errorRate?.queries[0]?.canary.dimensions).toMatchObject({ TargetGroup: ALB.stable.targetGroup });

    for (let minute = 2; minute < 10; minute++) await h.elapseInterval(id);
    await h.elapseWindow(id);
    await h.finishCommand('removeCanary');
    release = await h.load(id);
    expect(release.state).toBe('succeeded');
    expect(h.metricReads.at(-1)).toMatchObject({ to: addSeconds(bakeStart, 600), baseline: 'earlierSpan' });
    expect(said(h)).toContain('Bake over: the stable fleet stayed quiet on the new version.');
    const card = JSON.stringify(releaseCard(release, h.now()).blocks);
    expect(card).toContain('*The stable fleet against before the release*: score *100*');
    expect(card).toContain('now');
    expect(h.charts.at(-1)?.image.title).toBe(
      'orders-api 1.4.2: the stable fleet after promotion against before the release',
    );
  });

  it('puts the previous version back when the promoted fleet fails against its figures before the release', async () => {
    const { h, id } = await toBake({ analysed: true });
    // Alarms stay quiet; the fleet's errors went from 10 in 9,000 before the release to 40 in 1,000.
    h.answerMetrics(reading({ errors: 40 }));
    await h.elapseInterval(id);

    // The error rate is critical: one failing interval is enough.
    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({
      kind: 'analysisFailed',
      metrics: ['errorRate'],
      early: true,
    });
    expect(h.lastCommand('restoreStable').operation.instanceIds).toEqual(['i-01']);
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

  it("refuses a bake's analysis without the service's analysis metrics or a bake to run it in", () => {
    for (const promotion of [{ bakeSeconds: 300, bakeAnalysis: true }, { bakeAnalysis: true }]) {
      const result = parseServiceConfig(configInput({ promotion }));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.errors.join('\n')).toContain(
        "a bake's analysis judges the promoted fleet on the service's analysis metrics: configure analysis and a bakeSeconds above 0, or set bakeAnalysis to false",
      );
    }
  });
});

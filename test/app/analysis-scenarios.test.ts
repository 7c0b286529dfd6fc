import { describe, expect, it } from 'vitest';
import { describeNotice } from '../../domain/notice';
import { addSeconds } from '../../domain/time';
import { APPROVER, blueGreenConfig, REQUESTER } from '../../local/fixture-service-config';
import { ALB, analysed, latencies, reading } from '../support/analysis';
import { harness } from '../support/harness';

/*
 * The canary analysis through the release service: interval by interval during the window, the final verdict at
 * its end, and everything that must never count as a pass (too few requests, a failed read).
 */

const requester = { kind: 'person', id: REQUESTER } as const;
const approver = { kind: 'person', id: APPROVER } as const;

type Harness = ReturnType<typeof harness>;

async function verifying(h: Harness, strategy?: { kind: 'blueGreen' }) {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
    ...(strategy ? { strategy } : {}),
  });
  if (!started.ok) throw new Error(started.message);
  const id = started.release.id;
  if (strategy) {
    await h.finishCommand('deployIdle');
  } else {
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
  }
  const release = await h.load(id);
  expect(release.state).toBe('verifying');
  return { id, windowStart: release.run?.startedAt as string };
}

const notes = (h: Harness) => h.notices.map((n) => describeNotice(n.notice.notice));

describe('the canary analysis, interval by interval', () => {
  it('reads from the window start to each interval end, judges, and keeps the evidence for the card', async () => {
    const h = harness({ configs: [analysed()] });
    const { id, windowStart } = await verifying(h);
    h.answerMetrics(reading());

    await h.elapseInterval(id);
    await h.elapseInterval(id);

    expect(h.metricReads).toEqual([
      { from: windowStart, to: addSeconds(windowStart, 60), periodSeconds: 60, baseline: 'sameTime' },
      { from: windowStart, to: addSeconds(windowStart, 120), periodSeconds: 60, baseline: 'sameTime' },
    ]);
    const release = await h.load(id);
    expect(release.state).toBe('verifying');
    expect(release.evidence).toMatchObject({
      final: false,
      verdict: 'pass',
      score: 100,
      requests: { canary: 1000, stable: 9000 },
    });
    expect(release.evidence?.metrics.map((m) => [m.name, m.classification, m.unit])).toEqual([
      ['errorRate', 'pass', 'rate'],
      ['latencyP99', 'pass', 'seconds'],
    ]);
    expect(notes(h)).toContain('Interval 2: pass, score 100.');
  });

  it('rolls back at once on a failing critical metric, cancels the window, and posts the chart so far', async () => {
    const h = harness({ configs: [analysed()] });
    const { id, windowStart } = await verifying(h);
    h.answerMetrics(reading({ errors: 40 }));

    await h.elapseInterval(id);

    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({
      kind: 'analysisFailed',
      early: true,
      metrics: ['errorRate'],
    });
    expect(h.timers.size).toBe(0);
    expect(h.charts).toHaveLength(1);
    expect(h.charts[0]?.span).toMatchObject({ from: windowStart, to: addSeconds(windowStart, 60) });
  });

  it('rolls back after failureLimit failing intervals in a row, and a passing interval starts the count again', async () => {
    const h = harness({ configs: [analysed({ failureLimit: 2 })] });
    const { id } = await verifying(h);

    h.answerMetrics(reading({ canaryP99: 0.6 }));
    await h.elapseInterval(id);
    h.answerMetrics(reading());
    await h.elapseInterval(id);
    h.answerMetrics(reading({ canaryP99: 0.6 }));
    await h.elapseInterval(id);
    expect((await h.load(id)).state).toBe('verifying');

    await h.elapseInterval(id);

    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'analysisFailed', metrics: ['latencyP99'] });
    expect(notes(h)).toContain('Interval 3: fail, score 50 (1 of 2 failing intervals in a row roll back).');
  });

  it('ignores a duplicate or older interval result, and an interval timer sent before its time', async () => {
    const h = harness({ configs: [analysed()] });
    const { id } = await verifying(h);
    h.answerMetrics(reading());
    await h.elapseInterval(id);
    await h.elapseInterval(id);
    const before = await h.load(id);
    const stale = { kind: 'canaryAnalysed', analysisId: `${before.run?.stepId}.interval.1` } as const;

    await h.service.apply(id, { ...stale, outcome: { read: true, reading: reading({ errors: 500 }) } });
    const [timerId] = [...h.timers.keys()].filter((t) => t.includes('.interval.'));
    await h.service.apply(id, { kind: 'timerElapsed', timerId: timerId as string });

    const after = await h.load(id);
    expect(after.version).toBe(before.version);
    expect(after.state).toBe('verifying');
  });
});

describe('the final verdict at the window end', () => {
  it('passes a canary as good as stable on to approval, with the final evidence and one chart of the window', async () => {
    const h = harness({ configs: [analysed()] });
    const { id, windowStart } = await verifying(h);
    h.answerMetrics(reading());

    await h.elapseWindow(id);

    const release = await h.load(id);
    expect(release.state).toBe('awaitingApproval');
    expect(release.evidence).toMatchObject({ final: true, verdict: 'pass', score: 100 });
    expect(h.metricReads.at(-1)).toMatchObject({ from: windowStart, to: addSeconds(windowStart, 300) });
    expect(h.charts.map((c) => c.span.to)).toEqual([addSeconds(windowStart, 300)]);
    expect(h.timers.size).toBe(0);
    expect(notes(h)).toContain('Validation window passed: every watched alarm OK, canary score 100.');
  });

  it('rolls back a canary worse than stable that no alarm caught', async () => {
    const h = harness({ configs: [analysed()] });
    const { id } = await verifying(h);
    h.answerMetrics(reading({ canaryP99: 0.6 }));

    await h.elapseWindow(id);

    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'analysisFailed', early: false, score: 50 });
  });

  it('holds a marginal score for a person; Promote is the approver seeing the score', async () => {
    const config = analysed({
      metrics: [
        { preset: 'requestCount' },
        { preset: 'errorRate' },
        { preset: 'latencyP99', weight: 1 },
        { preset: 'latencyP50', weight: 4 },
      ],
      thresholds: { pass: 95, marginal: 15 },
    });
    const h = harness({ configs: [config] });
    const { id } = await verifying(h);
    const slow = reading({ canaryP99: 0.6 });
    h.answerMetrics({
      ...slow,
      data: {
        ...slow.data,
        latencyP50: { kind: 'distribution', canary: latencies(0.1), stable: latencies(0.1) },
      },
    });

    await h.elapseWindow(id);
    const held = await h.load(id);
    expect(held.state).toBe('inconclusive');
    expect(held.run).toMatchObject({ kind: 'inconclusive', marginal: { score: 83.3 } });

    await h.service.apply(id, { kind: 'approved', actor: approver });
    expect((await h.load(id)).state).toBe('stoppingMirror');
    expect(notes(h)).toContain(`Promoted by ${APPROVER} on a marginal score of 83.3.`);
  });

  it('never passes a canary that served too few requests: held as inconclusive, naming the analysis', async () => {
    const h = harness({ configs: [analysed()] });
    const { id } = await verifying(h);
    h.answerMetrics(reading({ requests: 3 }));

    await h.elapseWindow(id);

    const release = await h.load(id);
    expect(release.state).toBe('inconclusive');
    expect(release.run?.kind === 'inconclusive' && release.run.noData).toEqual([
      'the canary analysis (the canary served 3 requests, fewer than the minimum of 100)',
    ]);
  });

  it('counts metrics it could not read as no data: extended once, then rolled back (extendThenRollback)', async () => {
    const config = analysed({});
    const h = harness({
      configs: [{ ...config, validation: { ...config.validation, onNoData: 'extendThenRollback' } }],
    });
    const { id } = await verifying(h);
    h.answerMetrics(new Error('ThrottlingException: Rate exceeded'));

    await h.elapseWindow(id);
    expect((await h.load(id)).run).toMatchObject({ kind: 'validate', extended: true });
    await h.elapseWindow(id);

    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({ kind: 'noData' });
    expect(release.evidence?.reason).toContain('could not be read: Error: ThrottlingException');
  });
});

describe('what stable means for each strategy', () => {
  it('judges the new colour after a blue/green switch against the old colour just before it', async () => {
    const config = blueGreenConfig();
    const h = harness({
      configs: [
        {
          ...config,
          analysis: analysed().analysis as NonNullable<typeof config.analysis>,
          validation: { ...config.validation, defaultWindowSeconds: 300, minWindowSeconds: 300 },
        },
      ],
      listeners: {
        [config.blueGreen?.listenerArn as string]: config.blueGreen?.blue.targetGroupArn as string,
      },
    });
    const { id } = await verifying(h, { kind: 'blueGreen' });
    h.answerMetrics(reading());

    await h.elapseInterval(id);

    const release = await h.load(id);
    expect(h.metricReads[0]?.baseline).toBe('precedingSpan');
    const metric = release.policy.analysis?.metrics[0];
    expect(metric?.queries).toMatchObject({
      canary: { dimensions: { TargetGroup: ALB.green.targetGroup } },
      stable: { dimensions: { TargetGroup: ALB.blue.targetGroup } },
    });
  });
});

describe('a start that would watch an alarm CloudWatch does not have', () => {
  it('is refused with the missing names, and nothing is created or run', async () => {
    const h = harness();
    h.deleteAlarm('orders-api-stable-health');

    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
    });

    expect(started).toMatchObject({ ok: false, reason: 'missing-alarms' });
    expect(!started.ok && started.message).toContain(
      'watches alarms that do not exist in CloudWatch: orders-api-stable-health.',
    );
    expect(await h.store.activeReleaseId('orders-api')).toBeNull();
    expect(h.commands).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { groupAnalysisOf } from '../../domain/group-plan';
import { ALB, latencies } from '../support/analysis';
import { CURRENT, groupHarness, memberConfig, NEXT, registry, startGroupOf } from './group-fixtures';

const withAnalysis = (service: string, minimumRequests: number) =>
  memberConfig(service, {
    validation: { defaultWindowSeconds: 300, minWindowSeconds: 300 },
    analysis: { loadBalancer: ALB, minimumRequests },
  });

const steps = { kind: 'steps', steps: [10], bakeSeconds: 300 } as const;
const member = (service: string, minimumRequests?: number) => ({
  config: minimumRequests === undefined ? memberConfig(service) : withAnalysis(service, minimumRequests),
  fromVersion: CURRENT[service] ?? '',
  toVersion: NEXT[service] ?? '',
});

describe("a group's analysis", () => {
  it("judges every analysed member's metrics, named after it, on the least-served canary against the strictest minimum", () => {
    const analysis = groupAnalysisOf(
      [member('front'), member('orders-api', 100), member('payments', 400)],
      steps,
    );
    const names = analysis?.metrics.map((m) => (m.role === 'judged' ? m.definition.name : m.name));
    expect(names).toEqual([
      'orders-api requestCount',
      'orders-api errorRate',
      'orders-api latencyP99',
      'payments requestCount',
      'payments errorRate',
      'payments latencyP99',
    ]);
    expect(analysis?.settings.minimumRequests).toBe(400);
    expect(groupAnalysisOf([member('front'), member('payments')], steps)).toBeUndefined();
  });

  it("rolls the whole group back when a downstream member's metrics fail, though every alarm stays OK", async () => {
    const { h, services } = groupHarness(2, (c) => withAnalysis(c.service, 100));
    const id = await startGroupOf(h, services, [10]);
    for (let i = 0; i < 4; i++) await h.finishCommand(i < 2 ? 'deployCanary' : 'shiftTraffic');
    const ratio = (events: number) => ({
      kind: 'ratio' as const,
      canary: { events, total: 1000 },
      stable: { events: 10, total: 9000 },
    });
    const latency = { kind: 'distribution' as const, canary: latencies(0.2), stable: latencies(0.2) };
    h.answerMetrics({
      canaryRequests: 1000,
      stableRequests: 9000,
      data: {
        'front errorRate': ratio(1),
        'front latencyP99': latency,
        'orders-api errorRate': ratio(120),
        'orders-api latencyP99': latency,
      },
    });
    await h.elapseWindow(id);
    const release = await h.load(id);
    expect(release.state).toBe('rollingBack');
    expect(release.rollback?.reason).toMatchObject({
      kind: 'analysisFailed',
      metrics: ['orders-api errorRate'],
    });
    expect(registry(h, services)).toEqual({ front: CURRENT.front, 'orders-api': CURRENT['orders-api'] });
  });
});

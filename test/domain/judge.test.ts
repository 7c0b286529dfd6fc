import { describe, expect, it } from 'vitest';
import { type JudgeInput, judge } from '../../domain/judge';
import { errorRate, input, latency, SETTINGS, samples, series } from './judge-fixtures';

describe('judging one metric', () => {
  it('flags a latency 30% higher than stable as high', () => {
    const stable = series(60, 200);

    const result = judge(input([latency()], { latencyP99: samples(series(60, 260), stable) }));

    expect(result.metrics[0]).toMatchObject({ classification: 'high', effect: expect.closeTo(0.3, 6) });
    expect(result.metrics[0]?.reason).toMatch(/^median \+30% \(p = .*\): more than the 10% tolerance$/);
    expect(result.verdict).toBe('fail');
  });

  it('passes a significant change smaller than the tolerance', () => {
    const result = judge(input([latency()], { latencyP99: samples(series(60, 206), series(60, 200)) }));
    const metric = result.metrics[0];

    expect(metric?.classification === 'pass' && metric.pValue).toBeLessThan(0.05);
    expect(metric?.reason).toMatch(/within the 10% tolerance$/);
  });

  it('passes a change beyond the tolerance that is not significant: three noisy samples a side prove nothing', () => {
    const result = judge(input([latency()], { latencyP99: samples([100, 300, 500], [200, 250, 400]) }));
    const metric = result.metrics[0];

    expect(metric).toMatchObject({ classification: 'pass', effect: expect.closeTo(0.2, 9) });
    expect(metric?.classification === 'pass' && metric.pValue).toBeGreaterThan(0.05);
    expect(metric?.reason).toMatch(/: not significant$/);
  });

  it('passes an error rate well over the tolerance when a handful of requests cannot show it is real', () => {
    const result = judge({
      ...input([errorRate()], {
        errorRate: { kind: 'ratio', canary: { events: 1, total: 50 }, stable: { events: 0, total: 60 } },
      }),
      settings: { ...SETTINGS, minimumRequests: 10 },
    });

    expect(result.metrics[0]).toMatchObject({ classification: 'pass', effect: 0.02 });
  });

  it('passes a change in the good direction, however large', () => {
    const result = judge(input([latency()], { latencyP99: samples(series(60, 100), series(60, 200)) }));

    expect(result.metrics[0]).toMatchObject({ classification: 'pass', effect: expect.closeTo(-0.5, 6) });
    expect(result.verdict).toBe('pass');
  });

  it('flags a fall as low when down is bad, and both ways when either is', () => {
    const fallen = { throughput: samples(series(40, 50), series(40, 100)) };
    const risen = { throughput: samples(series(40, 150), series(40, 100)) };
    const down = latency({ name: 'throughput', badDirection: 'down' });
    const either = latency({ name: 'throughput', badDirection: 'either' });

    expect(judge(input([down], fallen)).metrics[0]?.classification).toBe('low');
    expect(judge(input([down], risen)).metrics[0]?.classification).toBe('pass');
    expect(judge(input([either], fallen)).metrics[0]?.classification).toBe('low');
    expect(judge(input([either], risen)).metrics[0]?.classification).toBe('high');
  });

  it('judges an error rate by percentage points: 4% against 0.1% is high, 0.3% against 0.1% is within 0.5 pp', () => {
    const rates = (canaryErrors: number): JudgeInput['data'] => ({
      errorRate: {
        kind: 'ratio',
        canary: { events: canaryErrors, total: 1000 },
        stable: { events: 9, total: 9000 },
      },
    });

    const high = judge(input([errorRate()], rates(40))).metrics[0];
    const small = judge(input([errorRate()], rates(3))).metrics[0];

    expect(high).toMatchObject({ classification: 'high', effect: expect.closeTo(0.039, 9) });
    expect(high?.reason).toMatch(/^4% against 0\.1%, \+3\.9 pp \(p = .*\): more than the 0\.5 pp tolerance$/);
    expect(small?.classification).toBe('pass');
  });

  it('has no data for a missing series, a kind mismatch, or too few canary requests in a ratio', () => {
    const result = judge(
      input([latency(), latency({ name: 'cpu' }), errorRate()], {
        cpu: { kind: 'ratio', canary: { events: 1, total: 900 }, stable: { events: 1, total: 900 } },
        errorRate: { kind: 'ratio', canary: { events: 1, total: 100 }, stable: { events: 1, total: 900 } },
      }),
    );

    expect(result.metrics.map((m) => [m.classification, m.reason])).toEqual([
      ['noData', 'no data'],
      ['noData', 'expected distribution data, got ratio'],
      ['noData', '100 canary requests, fewer than the minimum of 500'],
    ]);
    expect(result).toMatchObject({ verdict: 'noData', reason: 'no metric had data' });
  });
});

describe('score and verdict', () => {
  const stable = series(40, 100);
  const passing = samples(series(40, 100), stable);
  const failing = samples(series(40, 200), stable);
  const metrics = (weights: readonly number[]) =>
    weights.map((weight, i) => latency({ name: `m${i}`, weight }));

  it('scores the weighted share of passing metrics: 3 of 4 is marginal, 19 of 20 passes, 1 of 2 fails', () => {
    const marginal = judge(
      input(metrics([1, 1, 1, 1]), { m0: passing, m1: passing, m2: passing, m3: failing }),
    );
    const pass = judge(input(metrics([19, 1]), { m0: passing, m1: failing }));
    const fail = judge(input(metrics([1, 1]), { m0: passing, m1: failing }));

    expect([marginal.score, marginal.verdict]).toEqual([75, 'marginal']);
    expect([pass.score, pass.verdict]).toEqual([95, 'pass']);
    expect([fail.score, fail.verdict]).toEqual([50, 'fail']);
  });

  it('leaves metrics without data out of the score', () => {
    const result = judge(input(metrics([1, 1, 5]), { m0: passing, m1: passing }));

    expect([result.score, result.verdict]).toEqual([100, 'pass']);
  });

  it('fails on a failing critical metric whatever the score', () => {
    const result = judge(
      input([...metrics([99]), latency({ name: 'critical', critical: true, weight: 1 })], {
        m0: passing,
        critical: failing,
      }),
    );

    expect(result).toMatchObject({ verdict: 'fail', score: 99, reason: 'critical metric critical is high' });
  });

  it('judges nothing while the canary has served fewer requests than the minimum', () => {
    const result = judge(input(metrics([1]), { m0: passing }, 499));

    expect(result.verdict).toBe('noData');
    expect(result.metrics[0]).toMatchObject({
      classification: 'noData',
      reason: 'the canary served 499 requests, fewer than the minimum of 500',
    });
  });
});

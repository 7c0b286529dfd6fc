import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BadDirection,
  type JudgeInput,
  type JudgeSettings,
  judge,
  type MetricData,
  type MetricDefinition,
} from '../../domain/judge';

const SETTINGS: JudgeSettings = { minimumRequests: 500, thresholds: { pass: 95, marginal: 75 }, alpha: 0.05 };

const latency = (overrides: Partial<MetricDefinition> = {}): MetricDefinition => ({
  name: 'latencyP99',
  kind: 'distribution',
  badDirection: 'up',
  tolerance: 0.1,
  critical: false,
  weight: 1,
  ...overrides,
});

const errorRate = (overrides: Partial<MetricDefinition> = {}): MetricDefinition => ({
  name: 'errorRate',
  kind: 'ratio',
  badDirection: 'up',
  tolerance: 0.005,
  critical: true,
  weight: 1,
  ...overrides,
});

/** A deterministic series around `level`, spread ±5%, so that a shift's significance does not depend on luck. */
const series = (count: number, level: number): number[] =>
  Array.from({ length: count }, (_, i) => level * (1 + (((i * 37) % 101) / 100 - 0.5) / 10));

const samples = (canary: readonly number[], stable: readonly number[]): MetricData => ({
  kind: 'distribution',
  canary,
  stable,
});

const input = (
  metrics: readonly MetricDefinition[],
  data: JudgeInput['data'],
  canaryRequests = 1000,
): JudgeInput => ({
  metrics,
  data,
  canaryRequests,
  settings: SETTINGS,
});

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

describe('judge properties', () => {
  const values = fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 80 });
  const direction = fc.constantFrom<BadDirection>('up', 'down', 'either');

  it('never fails a canary whose samples are the stable samples in another order', () => {
    fc.assert(
      fc.property(values, direction, fc.integer(), (stable, badDirection, seed) => {
        const canary = [...stable].sort((a, b) => ((a * 31 + seed) % 7) - ((b * 31 + seed) % 7));

        const result = judge(input([latency({ badDirection })], { latencyP99: samples(canary, stable) }));

        expect(result.verdict).toBe('pass');
        expect(result.metrics[0]?.classification).toBe('pass');
      }),
    );
  });

  it('gives the same verdict and classifications when both sides are scaled by the same factor', () => {
    // A tolerance no ratio of medians of integers up to 1000 can equal, so that rounding in the scaled
    // arithmetic cannot tip a case sitting exactly on the boundary.
    const tolerance = 0.1 + 1e-6;
    const definitions = (['up', 'down', 'either'] as const).map((badDirection) =>
      latency({ name: badDirection, badDirection, tolerance }),
    );
    const factor = fc.oneof(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.constantFrom(0.001, 7, 1000));
    fc.assert(
      fc.property(values, values, factor, (canary, stable, k) => {
        const data = (scale: number) => {
          const pair = samples(
            canary.map((v) => v * scale),
            stable.map((v) => v * scale),
          );
          return { up: pair, down: pair, either: pair };
        };

        const original = judge(input(definitions, data(1)));
        const scaled = judge(input(definitions, data(k)));

        expect(scaled.verdict).toBe(original.verdict);
        expect(scaled.metrics.map((m) => m.classification)).toEqual(
          original.metrics.map((m) => m.classification),
        );
      }),
    );
  });

  it('fails a canary shifted beyond the tolerance in the bad direction, and passes one shifted well under it', () => {
    const tolerance = 0.1;
    fc.assert(
      fc.property(
        fc.integer({ min: 12, max: 80 }),
        fc.integer({ min: 10, max: 10_000 }),
        fc.double({ min: 2 * tolerance, max: 5 * tolerance, noNaN: true }),
        fc.double({ min: -tolerance / 2, max: tolerance / 2, noNaN: true }),
        fc.constantFrom<BadDirection>('up', 'down'),
        (count, level, bigShift, smallShift, badDirection) => {
          const stable = series(count, level);
          const shifted = (shift: number) => {
            const signed = badDirection === 'up' ? shift : -shift;
            return judge(
              input([latency({ badDirection, tolerance })], {
                latencyP99: samples(
                  stable.map((v) => v * (1 + signed)),
                  stable,
                ),
              }),
            );
          };

          expect(shifted(bigShift).metrics[0]?.classification).toBe(badDirection === 'up' ? 'high' : 'low');
          expect(shifted(bigShift).verdict).toBe('fail');
          expect(shifted(smallShift).metrics[0]?.classification).toBe('pass');
        },
      ),
    );
  });

  it('never passes on no data: a metric without data is noData, and only passing metrics make a pass', () => {
    const metricName = fc.constantFrom('a', 'b', 'c', 'd');
    const definition = fc.record({
      name: metricName,
      kind: fc.constantFrom('distribution' as const, 'ratio' as const),
      badDirection: direction,
      tolerance: fc.double({ min: 0, max: 1, noNaN: true }),
      critical: fc.boolean(),
      weight: fc.double({ min: 0.1, max: 10, noNaN: true }),
    });
    const count = fc.record({
      events: fc.integer({ min: 0, max: 50 }),
      total: fc.integer({ min: 50, max: 2000 }),
    });
    const datum = fc.oneof(
      fc.record({ kind: fc.constant('distribution' as const), canary: values, stable: values }),
      fc.record({ kind: fc.constant('ratio' as const), canary: count, stable: count }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(definition, { selector: (d) => d.name, minLength: 1, maxLength: 4 }),
        fc.dictionary(metricName, datum),
        fc.integer({ min: 0, max: 2000 }),
        (metrics, data, canaryRequests) => {
          const result = judge(input(metrics, data, canaryRequests));

          result.metrics.forEach((metric, i) => {
            const name = metrics[i]?.name ?? '';
            const withoutData = !(name in data) || canaryRequests < SETTINGS.minimumRequests;
            if (withoutData) expect(metric.classification).toBe('noData');
          });
          if (result.metrics.every((m) => m.classification === 'noData'))
            expect(result.verdict).toBe('noData');
          if (result.verdict === 'pass')
            expect(result.metrics.some((m) => m.classification === 'pass')).toBe(true);
        },
      ),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BadDirection, judge } from '../../domain/judge';
import { input, latency, SETTINGS, samples, series } from './judge-fixtures';

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

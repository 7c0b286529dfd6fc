import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Alternative,
  mannWhitneyU,
  median,
  normalCdf,
  pooledRanks,
  twoProportionZTest,
} from '../../domain/statistics';

/**
 * Reference values were computed once with scipy 1.10.1 (Debian bookworm's python3-scipy, `/usr/bin/python3`)
 * and agree to the last digit with scipy 1.17.1; the snippet that printed them:
 *
 * ```python
 * from scipy.stats import mannwhitneyu, norm
 * def mwu(x, y, alt):
 *     r = mannwhitneyu(x, y, alternative=alt)   # defaults: method='auto', use_continuity=True
 *     print(alt, repr(float(r.statistic)), repr(float(r.pvalue)))
 * x = [1.1, 2.3, 3.5, 4.2, 5.9]; y = [0.5, 0.7, 1.6, 2.0, 2.8, 3.1]                     # small, exact
 * x = [1, 2, 2, 3, 3, 3]; y = [2, 3, 4, 4, 5]                                            # ties: normal approximation
 * x = [((i * 7919) % 1000) / 10 for i in range(60)]; y = [((j * 104729) % 997) / 10 + 5 for j in range(70)]
 * x = [i * 1.5 + 40 for i in range(5)]; y = [j * 2.0 + 0.25 for j in range(30)]            # exact: one sample <= 8
 * x = [100 + (i * 31) % 200 for i in range(200)]; y = [(j * 17) % 200 for j in range(200)]  # far tail, 'greater'
 * def prop(e1, n1, e2, n2):   # pooled two-proportion z-test, by hand
 *     p1, p2, p = e1 / n1, e2 / n2, (e1 + e2) / (n1 + n2)
 *     z = (p1 - p2) / (p * (1 - p) * (1 / n1 + 1 / n2)) ** 0.5
 *     print(z, norm.sf(z), norm.cdf(z), 2 * norm.sf(abs(z)))
 * print([norm.cdf(v) for v in (-6.0, -1.0, 0.5, 1.959963984540054, 3.0)])
 * ```
 */
const range = (length: number, value: (i: number) => number) => Array.from({ length }, (_, i) => value(i));

type Reference = {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly method: 'exact' | 'asymptotic';
  readonly u: number;
  readonly p: Readonly<Partial<Record<Alternative, number>>>;
};

const MANN_WHITNEY_REFERENCES: readonly Reference[] = [
  {
    name: 'small samples without ties (exact distribution)',
    x: [1.1, 2.3, 3.5, 4.2, 5.9],
    y: [0.5, 0.7, 1.6, 2.0, 2.8, 3.1],
    method: 'exact',
    u: 24,
    p: { 'two-sided': 0.12554112554112554, greater: 0.06277056277056277, less: 0.9588744588744589 },
  },
  {
    name: 'small samples with ties (normal approximation, tie-corrected)',
    x: [1, 2, 2, 3, 3, 3],
    y: [2, 3, 4, 4, 5],
    method: 'asymptotic',
    u: 5.5,
    p: { 'two-sided': 0.08871369199677616, greater: 0.970711726568604, less: 0.04435684599838808 },
  },
  {
    name: 'larger samples (normal approximation)',
    x: range(60, (i) => ((i * 7919) % 1000) / 10),
    y: range(70, (j) => ((j * 104729) % 997) / 10 + 5),
    method: 'asymptotic',
    u: 1962.5,
    p: { 'two-sided': 0.522294547463388, greater: 0.7403687309161697, less: 0.261147273731694 },
  },
  {
    name: 'five against thirty without ties (exact: one sample has 8 or fewer)',
    x: range(5, (i) => i * 1.5 + 40),
    y: range(30, (j) => j * 2.0 + 0.25),
    method: 'exact',
    u: 109,
    p: { 'two-sided': 0.11649498509081051, greater: 0.058247492545405254, less: 0.9473095689888859 },
  },
  {
    name: 'a far tail keeps its relative precision',
    x: range(200, (i) => 100 + ((i * 31) % 200)),
    y: range(200, (j) => (j * 17) % 200),
    method: 'asymptotic',
    u: 35000,
    p: { greater: 8.613459523894178e-39 },
  },
];

/** Within a relative 1e-6: the normal CDF (Numerical Recipes' erfc) is good to about 1.2e-7. */
function expectClose(actual: number, expected: number, relative = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
}

describe('Mann-Whitney U against scipy.stats.mannwhitneyu', () => {
  for (const reference of MANN_WHITNEY_REFERENCES) {
    for (const [alternative, expected] of Object.entries(reference.p) as [Alternative, number][]) {
      it(`${reference.name}, ${alternative}`, () => {
        const result = mannWhitneyU(reference.x, reference.y, alternative);

        expect(result.u).toBe(reference.u);
        expect(result.method).toBe(reference.method);
        // The exact distribution involves no approximation: it must agree to rounding.
        expectClose(result.pValue, expected, reference.method === 'exact' ? 1e-12 : 1e-6);
      });
    }
  }

  it('is not significant when every value is the same', () => {
    const result = mannWhitneyU(
      range(30, () => 7),
      range(40, () => 7),
      'two-sided',
    );

    expect(result.pValue).toBe(1);
  });

  it('refuses empty and non-finite samples: they have no ranks', () => {
    expect(() => mannWhitneyU([], [1, 2], 'greater')).toThrow(/first sample is empty/);
    expect(() => mannWhitneyU([1, Number.NaN], [1, 2], 'greater')).toThrow(/non-finite/);
  });

  it('reports the medians and their difference as the shift', () => {
    const result = mannWhitneyU([5, 1, 3, 9], [2, 4, 6], 'two-sided');

    expect(result).toMatchObject({ medianFirst: 4, medianSecond: 4, shift: 0 });
  });

  it('gives the exact and the one-sided p-values the symmetry they must have', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        (values, split) => {
          const cut = Math.min(split, values.length - 1);
          const x = values.slice(0, cut);
          const y = values.slice(cut);
          const greater = mannWhitneyU(x, y, 'greater');
          const less = mannWhitneyU(x, y, 'less');
          const swapped = mannWhitneyU(y, x, 'less');

          expect(greater.method).toBe('exact');
          // The two tails overlap at U itself, so they sum to at least 1.
          expect(greater.pValue + less.pValue).toBeGreaterThanOrEqual(1 - 1e-12);
          expect(Math.abs(swapped.pValue - greater.pValue)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ranking', () => {
  it('gives tied values their average rank and counts the tie term', () => {
    // Pooled: 1 2 2 3 3 3 4 → ranks 1, 2.5, 2.5, 5, 5, 5, 7; first sample holds 1, one 2, two 3s.
    const ranks = pooledRanks(Float64Array.from([1, 2, 3, 3]), Float64Array.from([2, 3, 4]));

    expect(ranks.rankSumFirst).toBe(1 + 2.5 + 5 + 5);
    expect(ranks.tieTerm).toBe(2 ** 3 - 2 + (3 ** 3 - 3));
  });

  it('sums ranks to n(n+1)/2 over both samples, whatever the ties', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }),
        (x, y) => {
          const sortedX = Float64Array.from(x).sort();
          const sortedY = Float64Array.from(y).sort();
          const n = x.length + y.length;

          const total =
            pooledRanks(sortedX, sortedY).rankSumFirst + pooledRanks(sortedY, sortedX).rankSumFirst;

          expect(total).toBe((n * (n + 1)) / 2);
        },
      ),
    );
  });

  it('takes the median of an even and an odd count', () => {
    expect(median(Float64Array.from([1, 2, 10]))).toBe(2);
    expect(median(Float64Array.from([1, 2, 4, 10]))).toBe(3);
  });
});

describe('two-proportion z-test against scipy.stats.norm by hand', () => {
  const cases = [
    {
      counts: [30, 1000, 20, 1000],
      z: 1.4322297480788655,
      p: { greater: 0.07603904039648762, less: 0.9239609596035123, 'two-sided': 0.15207808079297525 },
    },
    {
      counts: [5, 200, 40, 5000],
      z: 2.545247394238314,
      p: { greater: 0.005460017056171118, less: 0.9945399829438288, 'two-sided': 0.010920034112342237 },
    },
    {
      counts: [12, 20000, 10, 20000],
      z: 0.4265187414973089,
      p: { greater: 0.3348649472712592, less: 0.6651350527287407, 'two-sided': 0.6697298945425184 },
    },
  ] as const;

  for (const { counts, z, p } of cases) {
    const [e1, n1, e2, n2] = counts;
    for (const [alternative, expected] of Object.entries(p) as [Alternative, number][]) {
      it(`${e1}/${n1} against ${e2}/${n2}, ${alternative}`, () => {
        const result = twoProportionZTest({ events: e1, total: n1 }, { events: e2, total: n2 }, alternative);

        expectClose(result.z, z, 1e-12);
        expectClose(result.pValue, expected);
      });
    }
  }

  it('finds nothing to test when neither group has an event', () => {
    const result = twoProportionZTest({ events: 0, total: 500 }, { events: 0, total: 9000 }, 'greater');

    expect(result).toMatchObject({ z: 0, pValue: 1 });
  });
});

describe('normal CDF against scipy.stats.norm.cdf', () => {
  const references: readonly (readonly [number, number])[] = [
    [-6.0, 9.865876450376946e-10],
    [-1.0, 0.15865525393145707],
    [0.5, 0.6914624612740131],
    [1.959963984540054, 0.975],
    [3.0, 0.9986501019683699],
  ];

  for (const [x, expected] of references) {
    it(`Φ(${x})`, () => {
      expectClose(normalCdf(x), expected);
    });
  }
});

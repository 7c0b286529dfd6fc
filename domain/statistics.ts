/**
 * The tests the canary judge relies on: Mann-Whitney U for distributions (latencies), a pooled two-proportion
 * z-test for ratios (error rates), and the normal distribution they both end in. Pure and dependency-free, so
 * the judge runs in any Lambda bundle; the numbers match scipy (see test/domain/statistics.test.ts).
 */

/** Which way the first sample (the canary) is suspected to differ from the second (the stable fleet). */
export type Alternative = 'greater' | 'less' | 'two-sided';

export interface MannWhitneyResult {
  /** U of the first sample: the number of pairs (x, y) with x > y, ties counting one half. */
  readonly u: number;
  readonly pValue: number;
  readonly method: 'exact' | 'asymptotic';
  /** Median of the first sample and of the second, sorted once for the test anyway. */
  readonly medianFirst: number;
  readonly medianSecond: number;
  /**
   * The location shift, as the difference of the medians. The Hodges–Lehmann estimate (median of all pairwise
   * differences) is nicer but looks at n·m pairs: 10^8 for two series of 10,000, far over the judge's budget.
   */
  readonly shift: number;
}

/** Complementary error function, Numerical Recipes' `erfcc` (Chebyshev fit): relative error below 1.2e-7. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const tail = t * Math.exp(-z * z + poly);
  return x >= 0 ? tail : 2 - tail;
}

/**
 * P(Z <= x) for a standard normal Z. Computed from `erfc` rather than `1 - erf` so that far tails keep their
 * relative precision (a p-value of 1e-30 stays 1e-30 instead of becoming 0).
 *
 * @example
 * normalCdf(1.959964) // ≈ 0.975
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** P(Z >= x) for a standard normal Z. */
export function normalSurvival(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

/**
 * The rank sum of the first of two samples in their pooled ranking, ties given their average rank, and the
 * tie term Σ(t³ − t) over groups of t equal values. Both inputs must be sorted ascending; merging them is linear,
 * so ranking costs what the sorts cost, O(n log n).
 */
export function pooledRanks(
  first: Float64Array,
  second: Float64Array,
): { readonly rankSumFirst: number; readonly tieTerm: number } {
  let i = 0;
  let j = 0;
  let rankSumFirst = 0;
  let tieTerm = 0;
  while (i < first.length || j < second.length) {
    const value = Math.min(first[i] ?? Number.POSITIVE_INFINITY, second[j] ?? Number.POSITIVE_INFINITY);
    const rankBefore = i + j;
    let fromFirst = 0;
    while (i < first.length && first[i] === value) {
      i += 1;
      fromFirst += 1;
    }
    while (j < second.length && second[j] === value) j += 1;
    const groupSize = i + j - rankBefore;
    // Ranks rankBefore+1 … rankBefore+groupSize share their average.
    rankSumFirst += fromFirst * (rankBefore + (groupSize + 1) / 2);
    tieTerm += groupSize ** 3 - groupSize;
  }
  return { rankSumFirst, tieTerm };
}

/**
 * Mann-Whitney U test of `first` against `second`, as `scipy.stats.mannwhitneyu` computes it by default
 * (`method='auto'`, `use_continuity=True`): the exact distribution of U when there are no ties and at least one
 * sample has 8 values or fewer, otherwise the normal approximation with tie and continuity corrections.
 * `'greater'` asks whether `first` tends to be larger.
 *
 * @example
 * mannWhitneyU([3, 4, 5], [1, 2], 'greater') // { u: 6, pValue: 0.1, method: 'exact', … }
 */
export function mannWhitneyU(
  first: readonly number[],
  second: readonly number[],
  alternative: Alternative,
): MannWhitneyResult {
  const x = sortedFinite(first, 'first');
  const y = sortedFinite(second, 'second');
  const n1 = x.length;
  const n2 = y.length;
  const { rankSumFirst, tieTerm } = pooledRanks(x, y);
  const u = rankSumFirst - (n1 * (n1 + 1)) / 2;
  // Every p-value is an upper tail: 'less' looks at U of the second sample, two-sided doubles the larger tail.
  const uSecond = n1 * n2 - u;
  const tailU = alternative === 'greater' ? u : alternative === 'less' ? uSecond : Math.max(u, uSecond);
  const sides = alternative === 'two-sided' ? 2 : 1;
  const exact = tieTerm === 0 && (n1 <= 8 || n2 <= 8);
  const tail = exact ? exactUpperTail(tailU, n1, n2) : asymptoticUpperTail(tailU, n1, n2, tieTerm);
  const medianFirst = median(x);
  const medianSecond = median(y);
  return {
    u,
    pValue: Math.min(1, Math.max(0, sides * tail)),
    method: exact ? 'exact' : 'asymptotic',
    medianFirst,
    medianSecond,
    shift: medianFirst - medianSecond,
  };
}

function sortedFinite(sample: readonly number[], which: string): Float64Array {
  if (sample.length === 0) throw new RangeError(`mannWhitneyU: the ${which} sample is empty`);
  if (!sample.every(Number.isFinite))
    throw new RangeError(`mannWhitneyU: the ${which} sample has a non-finite value`);
  // A typed array sorts numerically and several times faster than Array.prototype.sort with a comparator.
  return Float64Array.from(sample).sort();
}

/** The median of an ascending, non-empty array. */
export function median(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** P(U >= u) under the null hypothesis, with tie correction and a continuity correction of one half. */
function asymptoticUpperTail(u: number, n1: number, n2: number, tieTerm: number): number {
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  // All values tied (or one value in all): U says nothing, so nothing is significant.
  if (!(variance > 0)) return 1;
  return normalSurvival((u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance));
}

/**
 * P(U >= u) under the null hypothesis, from the exact distribution of U. The number of orderings with U = k is
 * the coefficient of q^k in the Gaussian binomial [m+n choose m]_q = Π_{i=1..m} (1 − q^(n+i)) / (1 − q^i), built
 * factor by factor (dynamic programming over i) and only up to the degree needed: U is symmetric around mn/2,
 * so the smaller tail is summed. With m <= 8 this is at most 2·8·(4n) additions, even for n = 10,000.
 */
function exactUpperTail(u: number, n1: number, n2: number): number {
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  const mn = m * n;
  // P(U >= u) = 1 − P(U <= u−1) = P(U <= mn − u), by symmetry; sum whichever lower tail is shorter.
  if (u <= 0) return 1;
  const lowerTailTo = Math.min(u - 1, mn - u);
  const counts = gaussianBinomialCoefficients(m, n, lowerTailTo);
  let lowerTail = 0;
  for (const count of counts) lowerTail += count;
  const probability = lowerTail / binomial(m + n, m);
  return lowerTailTo === mn - u ? probability : 1 - probability;
}

/** Coefficients of q^0 … q^degree in [m+n choose m]_q, as floats (they outgrow 2^53 long before they overflow). */
function gaussianBinomialCoefficients(m: number, n: number, degree: number): Float64Array {
  const c = new Float64Array(degree + 1);
  c[0] = 1;
  for (let i = 1; i <= m; i += 1) {
    // Multiply by (1 − q^(n+i)): downwards, so each coefficient reads the value before this step.
    for (let k = degree; k >= n + i; k -= 1) c[k] = (c[k] ?? 0) - (c[k - n - i] ?? 0);
    // Divide by (1 − q^i), i.e. multiply by 1 + q^i + q^2i + …: upwards, a running sum with stride i.
    for (let k = i; k <= degree; k += 1) c[k] = (c[k] ?? 0) + (c[k - i] ?? 0);
  }
  return c;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i += 1) result = (result * (n - k + i)) / i;
  return result;
}

export interface ProportionTestResult {
  readonly z: number;
  readonly pValue: number;
  readonly rateFirst: number;
  readonly rateSecond: number;
}

/**
 * Pooled two-proportion z-test (no continuity correction, like statsmodels' `proportions_ztest`): do `events`
 * out of `total` happen more often in the first group? Both totals must be positive.
 *
 * @example
 * twoProportionZTest({ events: 30, total: 1000 }, { events: 20, total: 1000 }, 'greater') // { z: 1.43…, pValue: 0.076…, … }
 */
export function twoProportionZTest(
  first: { readonly events: number; readonly total: number },
  second: { readonly events: number; readonly total: number },
  alternative: Alternative,
): ProportionTestResult {
  if (!(first.total > 0 && second.total > 0))
    throw new RangeError('twoProportionZTest: totals must be positive');
  const rateFirst = first.events / first.total;
  const rateSecond = second.events / second.total;
  const pooled = (first.events + second.events) / (first.total + second.total);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / first.total + 1 / second.total));
  // No events at all, or nothing but events: both rates are equal and there is nothing to test.
  const z = standardError > 0 ? (rateFirst - rateSecond) / standardError : 0;
  const pValue =
    standardError === 0
      ? 1
      : alternative === 'greater'
        ? normalSurvival(z)
        : alternative === 'less'
          ? normalCdf(z)
          : 2 * normalSurvival(Math.abs(z));
  return { z, pValue: Math.min(1, pValue), rateFirst, rateSecond };
}

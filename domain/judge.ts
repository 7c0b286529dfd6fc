/**
 * The canary judge: compares each metric of the canary with the stable fleet's over one window, classifies it,
 * and turns the classifications into a 0–100 score and a verdict, in the manner of Kayenta's judge.
 *
 * A metric fails only when the difference is both significant (p < alpha) and larger than its tolerance in its
 * bad direction: significance alone flags differences too small to matter on busy services, and size alone
 * flags noise on quiet ones. Too little data is `noData`, which never counts as a pass.
 */
import { assertNever } from './plan';
import { type Alternative, mannWhitneyU, twoProportionZTest } from './statistics';

export type MetricKind = 'distribution' | 'ratio';
/** Which change is bad: `up` for latency and errors, `down` for throughput or success, `either` for "must not move". */
export type BadDirection = 'up' | 'down' | 'either';

export interface MetricDefinition {
  readonly name: string;
  /** `distribution`: per-interval samples compared by Mann-Whitney U; `ratio`: event counts by a two-proportion z-test. */
  readonly kind: MetricKind;
  readonly badDirection: BadDirection;
  /**
   * The smallest change that matters. For a distribution, relative to the stable median (0.1 = 10%). For a ratio,
   * an absolute difference of rates (0.005 = half a percentage point): relative change is useless for error
   * rates, where stable is often at 0% and any canary error would be an infinite change.
   */
  readonly tolerance: number;
  /** A critical metric that fails makes the verdict `fail`, whatever the score. */
  readonly critical: boolean;
  /** Its share of the score, relative to the other metrics' weights. */
  readonly weight: number;
}

export interface EventCount {
  readonly events: number;
  readonly total: number;
}

export type MetricData =
  | { readonly kind: 'distribution'; readonly canary: readonly number[]; readonly stable: readonly number[] }
  | { readonly kind: 'ratio'; readonly canary: EventCount; readonly stable: EventCount };

export interface JudgeSettings {
  /** Below this many canary requests the window says nothing yet: every metric is `noData`. */
  readonly minimumRequests: number;
  readonly thresholds: { readonly pass: number; readonly marginal: number };
  /** Significance level of each metric's test. */
  readonly alpha: number;
}

export interface JudgeInput {
  readonly metrics: readonly MetricDefinition[];
  /** Keyed by metric name; a metric without data is `noData`. */
  readonly data: Readonly<Record<string, MetricData>>;
  /** Requests the canary served in the window. */
  readonly canaryRequests: number;
  readonly settings: JudgeSettings;
}

export type Classification = 'pass' | 'high' | 'low' | 'noData';

export type MetricJudgement =
  | {
      readonly name: string;
      readonly classification: 'noData';
      readonly critical: boolean;
      readonly reason: string;
    }
  | {
      readonly name: string;
      readonly classification: Exclude<Classification, 'noData'>;
      readonly critical: boolean;
      readonly pValue: number;
      /** The canary's change, in the units of the metric's tolerance (relative for distributions, absolute for ratios). */
      readonly effect: number;
      readonly reason: string;
    };

export type Verdict = 'pass' | 'marginal' | 'fail' | 'noData';

export interface Judgement {
  readonly verdict: Verdict;
  /** Weighted share (0–100) of the metrics with data that pass; 0 when no metric has data. */
  readonly score: number;
  readonly metrics: readonly MetricJudgement[];
  readonly reason: string;
}

/** What a test measured, before it is held against the tolerance. */
interface Measurement {
  readonly pValue: number;
  readonly effect: number;
  /** The change in words, e.g. "median +12.0% (p = 0.003)". */
  readonly change: string;
}

/**
 * Judges one analysis window of the canary against the stable fleet.
 *
 * @example
 * judge({
 *   metrics: [{ name: 'errorRate', kind: 'ratio', badDirection: 'up', tolerance: 0.005, critical: true, weight: 1 }],
 *   data: { errorRate: { kind: 'ratio', canary: { events: 40, total: 1000 }, stable: { events: 10, total: 9000 } } },
 *   canaryRequests: 1000,
 *   settings: { minimumRequests: 500, thresholds: { pass: 95, marginal: 75 }, alpha: 0.05 },
 * }) // { verdict: 'fail', score: 0, reason: 'critical metric errorRate is high', … }
 */
export function judge(input: JudgeInput): Judgement {
  const { metrics, settings } = input;
  if (input.canaryRequests < settings.minimumRequests) {
    const reason = `the canary served ${input.canaryRequests} requests, fewer than the minimum of ${settings.minimumRequests}`;
    return {
      verdict: 'noData',
      score: 0,
      metrics: metrics.map((m) => noData(m, reason)),
      reason,
    };
  }
  const judged = metrics.map((definition) => judgeMetric(definition, input.data[definition.name], settings));
  return verdictOf(metrics, judged, settings.thresholds);
}

function judgeMetric(
  definition: MetricDefinition,
  data: MetricData | undefined,
  settings: JudgeSettings,
): MetricJudgement {
  if (data === undefined) return noData(definition, 'no data');
  if (data.kind !== definition.kind)
    return noData(definition, `expected ${definition.kind} data, got ${data.kind}`);
  const measured = measure(definition, data, settings.minimumRequests);
  if (typeof measured === 'string') return noData(definition, measured);
  return classify(definition, measured, settings.alpha);
}

/** Runs the metric's test; a string says why there is nothing to test. */
function measure(
  definition: MetricDefinition,
  data: MetricData,
  minimumRequests: number,
): Measurement | string {
  const alternative = alternativeFor(definition.badDirection);
  switch (data.kind) {
    case 'distribution':
      return measureDistribution(data.canary, data.stable, alternative);
    case 'ratio':
      return measureRatio(data.canary, data.stable, alternative, minimumRequests);
    default:
      return assertNever(data);
  }
}

/** The one-sided test that looks for the bad change: a change the other way is never significant, so it passes. */
function alternativeFor(badDirection: BadDirection): Alternative {
  switch (badDirection) {
    case 'up':
      return 'greater';
    case 'down':
      return 'less';
    case 'either':
      return 'two-sided';
    default:
      return assertNever(badDirection);
  }
}

function measureDistribution(
  canarySamples: readonly number[],
  stableSamples: readonly number[],
  alternative: Alternative,
): Measurement | string {
  // A missing CloudWatch point may arrive as NaN; it has no rank, so it is left out rather than guessed.
  const canary = canarySamples.filter(Number.isFinite);
  const stable = stableSamples.filter(Number.isFinite);
  if (canary.length === 0) return 'no canary samples';
  if (stable.length === 0) return 'no stable samples';
  const test = mannWhitneyU(canary, stable, alternative);
  const effect = relativeChange(test.medianFirst, test.medianSecond);
  return {
    pValue: test.pValue,
    effect,
    change: `median ${signedPercent(effect)} (p = ${formatP(test.pValue)})`,
  };
}

/** (canary − stable) / |stable|, so that scaling both sides changes nothing; from a zero median, any move is infinite. */
function relativeChange(canary: number, stable: number): number {
  if (stable !== 0) return (canary - stable) / Math.abs(stable);
  return canary === stable ? 0 : Math.sign(canary) * Number.POSITIVE_INFINITY;
}

function measureRatio(
  canary: EventCount,
  stable: EventCount,
  alternative: Alternative,
  minimumRequests: number,
): Measurement | string {
  if (canary.total < minimumRequests)
    return `${canary.total} canary requests, fewer than the minimum of ${minimumRequests}`;
  if (stable.total <= 0) return 'no stable requests';
  if (canary.events > canary.total || stable.events > stable.total) return 'more events than requests';
  const test = twoProportionZTest(canary, stable, alternative);
  const effect = test.rateFirst - test.rateSecond;
  const rates = `${percent(test.rateFirst)} against ${percent(test.rateSecond)}`;
  return {
    pValue: test.pValue,
    effect,
    change: `${rates}, ${signedPoints(effect)} (p = ${formatP(test.pValue)})`,
  };
}

/** Significant and beyond the tolerance in the bad direction: `high` or `low`; anything else passes. */
function classify(definition: MetricDefinition, measured: Measurement, alpha: number): MetricJudgement {
  const { name, critical, tolerance } = definition;
  const { pValue, effect, change } = measured;
  const verdict = (classification: 'pass' | 'high' | 'low', why: string): MetricJudgement => ({
    name,
    classification,
    critical,
    pValue,
    effect,
    reason: `${change}: ${why}`,
  });
  const limit = definition.kind === 'ratio' ? points(tolerance) : percent(tolerance);
  if (!(pValue < alpha)) return verdict('pass', 'not significant');
  const { badDirection } = definition;
  if (badDirection !== 'down' && effect > tolerance)
    return verdict('high', `more than the ${limit} tolerance`);
  if (badDirection !== 'up' && effect < -tolerance) return verdict('low', `more than the ${limit} tolerance`);
  const better = (badDirection === 'up' && effect < 0) || (badDirection === 'down' && effect > 0);
  return verdict('pass', better ? 'better than stable' : `within the ${limit} tolerance`);
}

function noData(definition: MetricDefinition, reason: string): MetricJudgement {
  return { name: definition.name, classification: 'noData', critical: definition.critical, reason };
}

/** Score and verdict. A failing critical metric fails the canary; no data at all is never a pass. */
function verdictOf(
  definitions: readonly MetricDefinition[],
  metrics: readonly MetricJudgement[],
  thresholds: JudgeSettings['thresholds'],
): Judgement {
  let weightWithData = 0;
  let weightPassing = 0;
  metrics.forEach((metric, index) => {
    const weight = definitions[index]?.weight ?? 0;
    if (metric.classification !== 'noData') weightWithData += weight;
    if (metric.classification === 'pass') weightPassing += weight;
  });
  if (metrics.every((m) => m.classification === 'noData')) {
    return { verdict: 'noData', score: 0, metrics, reason: 'no metric had data' };
  }
  const score = weightWithData > 0 ? (100 * weightPassing) / weightWithData : 0;
  const failedCritical = metrics.find(
    (m) => m.critical && (m.classification === 'high' || m.classification === 'low'),
  );
  if (failedCritical !== undefined) {
    const reason = `critical metric ${failedCritical.name} is ${failedCritical.classification}`;
    return { verdict: 'fail', score, metrics, reason };
  }
  const verdict: Verdict =
    score >= thresholds.pass ? 'pass' : score >= thresholds.marginal ? 'marginal' : 'fail';
  const reason = `score ${score.toFixed(1)} against thresholds ${thresholds.pass} (pass) and ${thresholds.marginal} (marginal)`;
  return { verdict, score, metrics, reason };
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

function signedPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? 'up from 0' : 'down from 0';
  return `${fraction >= 0 ? '+' : '−'}${percent(Math.abs(fraction))}`;
}

function points(difference: number): string {
  return `${Number((difference * 100).toFixed(2))} pp`;
}

function signedPoints(difference: number): string {
  return `${difference >= 0 ? '+' : '−'}${points(Math.abs(difference))}`;
}

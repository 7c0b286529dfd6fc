import { type AnalysedMetric, analysedMetrics } from './analysis-queries';
import type { JudgeSettings, MetricData } from './judge';
import type { ServiceConfig } from './service-config';
import { addSeconds, isBefore } from './time';
import type { Colour, Effect, Instant, Release, Strategy, ValidationRun } from './types';

/*
 * The canary analysis of a validation window, as data: what a release judges with (snapshotted at its start), the
 * spans it reads, and how far a window's analysis has got. The evidence people decide on is in analysis-evidence.ts;
 * the engine's moves are in analysis-events.ts.
 */

/** What the analysis of one release reads and how strictly it judges: the service's `analysis`, resolved. */
export interface ReleaseAnalysis {
  readonly metrics: readonly AnalysedMetric[];
  readonly settings: JudgeSettings;
  readonly intervalSeconds: number;
  readonly periodSeconds: number;
  /** Consecutive failing intervals that roll the release back before its window ends. */
  readonly failureLimit: number;
  /**
   * `sameTime` (mirror, steps), `precedingSpan` (blue/green: the old colour before the switch), or `earlierSpan`
   * (the bake: the stable fleet before the release began, when the previous version served everyone).
   */
  readonly baseline: MetricsSpan['baseline'];
  /** For `earlierSpan`: the span the stable side is read over. */
  readonly baselineSpan?: TimeSpan;
}

export interface TimeSpan {
  readonly from: Instant;
  readonly to: Instant;
}

/**
 * The time an analysis covers. The canary is read over [from, to). `baseline: 'sameTime'` reads the stable fleet
 * over the same minutes (mirror, steps); `'precedingSpan'` reads it over the span of the same length just before
 * `from` (blue/green: the old colour before the switch, when it still served everyone); `'earlierSpan'` reads it
 * over `baselineSpan` (the bake: the fleet before the release began).
 */
export interface MetricsSpan {
  readonly from: Instant;
  readonly to: Instant;
  /** One datapoint per period per metric: the judge's per-interval samples. */
  readonly periodSeconds: number;
  readonly baseline: 'sameTime' | 'precedingSpan' | 'earlierSpan';
  readonly baselineSpan?: TimeSpan;
}

/**
 * The span the stable side of an analysis is read over.
 *
 * @example
 * baselineSpanOf({ from: '…T10:05:00Z', to: '…T10:10:00Z', periodSeconds: 60, baseline: 'precedingSpan' })
 * // { from: '…T10:00:00Z', to: '…T10:05:00Z' }
 */
export function baselineSpanOf(span: MetricsSpan): TimeSpan {
  if (span.baseline === 'earlierSpan' && span.baselineSpan) return span.baselineSpan;
  if (span.baseline === 'sameTime') return { from: span.from, to: span.to };
  const length = (Date.parse(span.to) - Date.parse(span.from)) / 1000;
  return { from: addSeconds(span.from, -length), to: span.from };
}

/** What the canary analysis read over a span of time: judge-ready figures for both fleets. */
export interface MetricsReading {
  /** Requests the canary served in the span: the sample size the judge's minimum gates. */
  readonly canaryRequests: number;
  /** Requests the stable fleet served in the span, when the reading counted them. */
  readonly stableRequests?: number;
  /** Keyed by metric name; a metric with no datapoint on either side is left out (the judge's `noData`). */
  readonly data: Readonly<Record<string, MetricData>>;
}

/** A read's outcome: the figures, or why there are none (throttled, access denied) — which is never a pass. */
export type AnalysisOutcome =
  | { readonly read: true; readonly reading: MetricsReading }
  | { readonly read: false; readonly reason: string };

/** How far a window's analysis has got. */
export interface AnalysisProgress {
  /** The last interval judged; a result for it or an earlier one is stale. */
  readonly judged: number;
  /** Consecutive failing intervals. */
  readonly failing: number;
  /** The interval whose timer is set, and that timer; absent when no interval is left before the window ends. */
  readonly next?: { readonly interval: number; readonly timerId: string };
  /** Set once the alarms passed at the window's end and the final analysis is being read. */
  readonly finalId?: string;
}

/** Why the analysis rolled a release back: its score, the metrics that failed, and whether the window had ended. */
export interface AnalysisFailure {
  readonly kind: 'analysisFailed';
  readonly score: number;
  readonly metrics: readonly string[];
  readonly reason: string;
  /** True when it failed before the window ended (a critical metric, or `failureLimit` intervals). */
  readonly early: boolean;
}

/** What a validation window starts with when the release has an analysis: its first interval's timer. */
export function startAnalysis(
  release: Release,
  run: ValidationRun,
): { run: ValidationRun; effects: Effect[] } {
  const analysis = analysisOf(release, run);
  if (analysis === undefined) return { run, effects: [] };
  const first = nextInterval(analysis, run, 1);
  const progress: AnalysisProgress = {
    judged: 0,
    failing: 0,
    ...(first ? { next: { interval: first.interval, timerId: first.timerId } } : {}),
  };
  const effects: Effect[] = first ? [{ kind: 'setTimer', timerId: first.timerId, at: first.at }] : [];
  return { run: { ...run, analysis: progress }, effects };
}

/**
 * The analysis a release of this service runs under, resolved for its strategy: mirror and steps compare the canary
 * with the stable fleet (or the live colour) over the same minutes; blue/green compares the new colour after the
 * switch with the old colour over the same length of time before it.
 */
export function releaseAnalysisOf(
  config: ServiceConfig,
  strategy: Strategy,
  liveColour: Colour | undefined,
): ReleaseAnalysis | undefined {
  const analysis = config.analysis;
  if (analysis === undefined) return undefined;
  const blueGreen = strategy.kind === 'blueGreen';
  const sides = blueGreen
    ? { canary: strategy.to, stable: strategy.from }
    : { canary: 'canary' as const, stable: liveColour ?? ('stable' as const) };
  const { minimumRequests, thresholds, alpha, intervalSeconds, periodSeconds, failureLimit } = analysis;
  return {
    metrics: analysedMetrics(analysis, sides),
    settings: { minimumRequests, thresholds, alpha },
    intervalSeconds,
    periodSeconds,
    failureLimit,
    baseline: blueGreen ? 'precedingSpan' : 'sameTime',
  };
}

/**
 * The analysis a window runs: the canary's while verifying; while baking, the promoted fleet's against its own
 * figures before the release, when the service asks for it.
 */
export function analysisOf(release: Release, run: ValidationRun): ReleaseAnalysis | undefined {
  return run.step.state === 'baking' ? release.policy.bakeAnalysis : release.policy.analysis;
}

/** The analysis a span was read for: the bake's (`earlierSpan`), or the canary's. */
export function analysisForSpan(policy: Release['policy'], span: MetricsSpan): ReleaseAnalysis | undefined {
  return span.baseline === 'earlierSpan' ? policy.bakeAnalysis : policy.analysis;
}

/**
 * The bake's analysis, when the service asks for it (`promotion.bakeAnalysis`): the stable fleet after promotion
 * (the canary side) judged against the same fleet over as long a span just before the release began (`startedAt`),
 * when the previous version served every user. Blue/green has no bake.
 */
export function bakeAnalysisOf(
  config: ServiceConfig,
  strategy: Strategy,
  liveColour: Colour | undefined,
  startedAt: Instant,
): ReleaseAnalysis | undefined {
  const { analysis, promotion } = config;
  if (!promotion.bakeAnalysis || analysis === undefined || strategy.kind === 'blueGreen') return undefined;
  if (promotion.bakeSeconds === 0 || strategy.kind === 'revert') return undefined;
  const fleet = liveColour ?? ('stable' as const);
  const { minimumRequests, thresholds, alpha, intervalSeconds, periodSeconds, failureLimit } = analysis;
  return {
    metrics: analysedMetrics(analysis, { canary: fleet, stable: fleet }),
    settings: { minimumRequests, thresholds, alpha },
    intervalSeconds,
    periodSeconds,
    failureLimit,
    baseline: 'earlierSpan',
    baselineSpan: { from: addSeconds(startedAt, -promotion.bakeSeconds), to: startedAt },
  };
}

/** The span the judge reads for an analysis: always from the window's start, so every interval sees more. */
export function spanOf(analysis: ReleaseAnalysis, from: Instant, to: Instant): MetricsSpan {
  const { periodSeconds, baseline, baselineSpan } = analysis;
  return { from, to, periodSeconds, baseline, ...(baselineSpan ? { baselineSpan } : {}) };
}

/** The interval timer after `interval`, if it falls before the window's end (the final analysis covers the rest). */
export function nextInterval(
  analysis: ReleaseAnalysis,
  window: { readonly stepId: string; readonly startedAt: Instant; readonly windowEndsAt: Instant },
  interval: number,
): { readonly interval: number; readonly timerId: string; readonly at: Instant } | undefined {
  const at = intervalEnd(analysis, window.startedAt, interval);
  if (!isBefore(at, window.windowEndsAt)) return undefined;
  return { interval, timerId: `${window.stepId}.interval.${interval}`, at };
}

export function intervalEnd(analysis: ReleaseAnalysis, startedAt: Instant, interval: number): Instant {
  return addSeconds(startedAt, interval * analysis.intervalSeconds);
}

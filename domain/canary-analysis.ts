import { type AnalysedMetric, analysedMetrics } from './analysis-queries';
import {
  type Classification,
  type Judgement,
  type JudgeSettings,
  judge,
  type MetricData,
  type MetricKind,
  type Verdict,
} from './judge';
import type { ServiceConfig } from './service-config';
import { addSeconds, isBefore } from './time';
import type { Colour, Effect, Instant, Release, Strategy, ValidationRun } from './types';

/*
 * The canary analysis of a validation window, as data: what a release judges with (snapshotted at its start), how
 * far a window's analysis has got, and the evidence people decide on. The engine's moves are in analysis-events.ts.
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

/** One metric, as people see it: the figure on each side and the judge's word. */
export interface MetricEvidence {
  readonly name: string;
  readonly kind: MetricKind;
  readonly unit: 'rate' | 'seconds' | 'value';
  readonly classification: Classification;
  readonly critical: boolean;
  /** A rate (0–1) for ratios; the median of the per-period values for distributions. */
  readonly canary?: number;
  readonly stable?: number;
  readonly reason: string;
}

/** The latest judgement of the canary, kept on the release for the card. */
export interface Evidence {
  /** What was judged: the canary against stable (when absent), or the bake's fleet against before the release. */
  readonly of?: 'bake';
  readonly at: Instant;
  readonly span: { readonly from: Instant; readonly to: Instant };
  /** The window's final verdict, or one taken during the window. */
  readonly final: boolean;
  readonly verdict: Verdict;
  readonly score: number;
  readonly reason: string;
  readonly requests: { readonly canary: number; readonly stable?: number };
  readonly metrics: readonly MetricEvidence[];
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

/** Judges a read (a failed read judges as no data) and keeps what people need to see of it. */
export function judgeOutcome(
  analysis: ReleaseAnalysis,
  outcome: AnalysisOutcome,
  span: { readonly from: Instant; readonly to: Instant; readonly final: boolean },
  now: Instant,
): { readonly judgement: Judgement; readonly evidence: Evidence } {
  const definitions = analysis.metrics.flatMap((m) => (m.role === 'judged' ? [m.definition] : []));
  const reading: MetricsReading = outcome.read ? outcome.reading : { canaryRequests: 0, data: {} };
  const judged = judge({ metrics: definitions, ...reading, settings: analysis.settings });
  const judgement: Judgement = outcome.read
    ? judged
    : { ...judged, reason: `the metrics could not be read: ${outcome.reason}` };
  const metrics = judgement.metrics.map((m, i): MetricEvidence => {
    const definition = definitions[i];
    const data = reading.data[m.name];
    return {
      name: m.name,
      kind: definition?.kind ?? 'distribution',
      unit: unitOf(analysis, m.name),
      classification: m.classification,
      critical: m.critical,
      ...figures(data),
      reason: m.reason,
    };
  });
  const evidence: Evidence = {
    ...(analysis.baseline === 'earlierSpan' ? { of: 'bake' as const } : {}),
    at: now,
    span: { from: span.from, to: span.to },
    final: span.final,
    verdict: judgement.verdict,
    score: Math.round(judgement.score * 10) / 10,
    reason: judgement.reason,
    requests: {
      canary: reading.canaryRequests,
      ...(reading.stableRequests === undefined ? {} : { stable: reading.stableRequests }),
    },
    metrics,
  };
  return { judgement, evidence };
}

/** A failing critical metric: the one reason to roll back after a single interval. */
export function failedCritical(judgement: Judgement): string | undefined {
  return judgement.metrics.find(
    (m) => m.critical && (m.classification === 'high' || m.classification === 'low'),
  )?.name;
}

/** The names of the metrics that failed, for the rollback's reason. */
export function failingMetrics(judgement: Judgement): readonly string[] {
  return judgement.metrics
    .filter((m) => m.classification === 'high' || m.classification === 'low')
    .map((m) => m.name);
}

function unitOf(analysis: ReleaseAnalysis, name: string): MetricEvidence['unit'] {
  const metric = analysis.metrics.find((m) => m.role === 'judged' && m.definition.name === name);
  if (metric?.role !== 'judged') return 'value';
  if (metric.definition.kind === 'ratio') return 'rate';
  return metric.unit ?? 'value';
}

function figures(data: MetricData | undefined): { canary?: number; stable?: number } {
  if (data === undefined) return {};
  if (data.kind === 'ratio') {
    const rate = (c: { events: number; total: number }) => (c.total > 0 ? c.events / c.total : undefined);
    return defined({ canary: rate(data.canary), stable: rate(data.stable) });
  }
  return defined({ canary: median(data.canary), stable: median(data.stable) });
}

function defined(values: { canary?: number | undefined; stable?: number | undefined }) {
  return {
    ...(values.canary === undefined ? {} : { canary: values.canary }),
    ...(values.stable === undefined ? {} : { stable: values.stable }),
  };
}

function median(values: readonly number[]): number | undefined {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

import type { AnalysisOutcome, MetricsReading, ReleaseAnalysis } from './canary-analysis';
import {
  type Classification,
  type Judgement,
  judge,
  type MetricData,
  type MetricKind,
  type Verdict,
} from './judge';
import type { Instant } from './types';

/*
 * The evidence of a canary analysis: a read judged, kept as people see it (each metric's figures and the judge's
 * word), and what of a judgement rolls a release back. What an analysis reads and how far it has got are in
 * canary-analysis.ts.
 */

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

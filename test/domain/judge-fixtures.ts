import type { JudgeInput, JudgeSettings, MetricData, MetricDefinition } from '../../domain/judge';

/** What the judge tests share: settings, metric definitions, and deterministic samples to judge. */

export const SETTINGS: JudgeSettings = {
  minimumRequests: 500,
  thresholds: { pass: 95, marginal: 75 },
  alpha: 0.05,
};

export const latency = (overrides: Partial<MetricDefinition> = {}): MetricDefinition => ({
  name: 'latencyP99',
  kind: 'distribution',
  badDirection: 'up',
  tolerance: 0.1,
  critical: false,
  weight: 1,
  ...overrides,
});

export const errorRate = (overrides: Partial<MetricDefinition> = {}): MetricDefinition => ({
  name: 'errorRate',
  kind: 'ratio',
  badDirection: 'up',
  tolerance: 0.005,
  critical: true,
  weight: 1,
  ...overrides,
});

/** A deterministic series around `level`, spread ±5%, so that a shift's significance does not depend on luck. */
export const series = (count: number, level: number): number[] =>
  Array.from({ length: count }, (_, i) => level * (1 + (((i * 37) % 101) / 100 - 0.5) / 10));

export const samples = (canary: readonly number[], stable: readonly number[]): MetricData => ({
  kind: 'distribution',
  canary,
  stable,
});

export const input = (
  metrics: readonly MetricDefinition[],
  data: JudgeInput['data'],
  canaryRequests = 1000,
): JudgeInput => ({
  metrics,
  data,
  canaryRequests,
  settings: SETTINGS,
});

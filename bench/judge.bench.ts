/**
 * Times the canary judge on two series of 10,000 samples each (a latency distribution, plus an error-rate ratio),
 * the largest window the judge is meant for. Prints the median and p95 of 20 runs after 3 warm-ups.
 * Target: median under 20 ms.
 */
import { type JudgeInput, judge } from '../domain/judge';

const SAMPLES = 10_000;
const RUNS = 20;
const WARM_UPS = 3;

/** A repeatable pseudo-random series (a linear congruential generator), log-normal-ish like latencies. */
function latencies(count: number, seed: number, scale: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return scale * Math.exp(state / 2 ** 31);
  });
}

const INPUT: JudgeInput = {
  metrics: [
    {
      name: 'latencyP99',
      kind: 'distribution',
      badDirection: 'up',
      tolerance: 0.1,
      critical: false,
      weight: 1,
    },
    { name: 'errorRate', kind: 'ratio', badDirection: 'up', tolerance: 0.005, critical: true, weight: 1 },
  ],
  data: {
    latencyP99: {
      kind: 'distribution',
      canary: latencies(SAMPLES, 7, 105),
      stable: latencies(SAMPLES, 11, 100),
    },
    errorRate: {
      kind: 'ratio',
      canary: { events: 12, total: 10_000 },
      stable: { events: 95, total: 90_000 },
    },
  },
  canaryRequests: 10_000,
  settings: { minimumRequests: 500, thresholds: { pass: 95, marginal: 75 }, alpha: 0.05 },
};

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

export default async function (): Promise<void> {
  for (let i = 0; i < WARM_UPS; i += 1) judge(INPUT);
  const times: number[] = [];
  let verdict = '';
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    verdict = judge(INPUT).verdict;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(
    `| judge, 2 × ${SAMPLES} samples + 1 ratio | median ${percentile(times, 0.5).toFixed(2)} ms | p95 ${percentile(times, 0.95).toFixed(2)} ms | ${RUNS} runs, verdict ${verdict} |`,
  );
}

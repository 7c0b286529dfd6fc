import type { MetricsReading } from '../../domain/ports';
import { ANALYSED_ALB, serviceConfig } from '../../local/fixture-service-config';

/* An analysed `orders-api` and the readings the tests feed its analysis. */

/** orders-api's analysed ALB, with a target group per blue/green colour as well. */
export const ALB = {
  ...ANALYSED_ALB,
  blue: {
    loadBalancer: 'app/orders/0123456789abcdef',
    targetGroup: 'targetgroup/orders-blue/0000000000000b1e',
  },
  green: {
    loadBalancer: 'app/orders/0123456789abcdef',
    targetGroup: 'targetgroup/orders-green/00000000000009ee',
  },
} as const;

/** Five-minute windows judged every minute; three failing minutes in a row roll back. */
export const analysed = (extra: Record<string, unknown> = {}) =>
  serviceConfig({
    validation: { defaultWindowSeconds: 300, minWindowSeconds: 300 },
    analysis: { loadBalancer: ALB, minimumRequests: 100, ...extra },
  });

export const latencies = (median: number) => Array.from({ length: 5 }, (_, i) => median * (1 + i / 100));

/** A reading: `errors` of 1,000 canary requests against stable's 10 of 9,000, and p99 latencies around each median. */
export function reading(
  options: { errors?: number; canaryP99?: number; requests?: number } = {},
): MetricsReading {
  const requests = options.requests ?? 1000;
  return {
    canaryRequests: requests,
    stableRequests: 9000,
    data: {
      errorRate: {
        kind: 'ratio',
        canary: { events: options.errors ?? 1, total: requests },
        stable: { events: 10, total: 9000 },
      },
      latencyP99: {
        kind: 'distribution',
        canary: latencies(options.canaryP99 ?? 0.2),
        stable: latencies(0.2),
      },
    },
  };
}

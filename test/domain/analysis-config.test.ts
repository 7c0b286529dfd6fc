import { describe, expect, it } from 'vitest';
import { PRESETS, parseAnalysisConfig } from '../../domain/analysis-config';

const ALB = {
  type: 'alb',
  canary: {
    loadBalancer: 'app/orders-canary/50dc6c495c0c9188',
    targetGroup: 'targetgroup/orders-canary/73e2d6bc24d8a067',
  },
  stable: { loadBalancer: 'app/orders/50dc6c495c0c9189', targetGroup: 'targetgroup/orders/73e2d6bc24d8a068' },
};
const CUSTOM = {
  name: 'checkoutFailures',
  namespace: 'OrdersApi',
  metricName: 'CheckoutFailures',
  stat: 'Sum',
  dimensions: { Service: 'orders-api', Fleet: '{fleet}' },
};

describe('analysis configuration', () => {
  it('fills the documented defaults: 60 s intervals, 3 failing intervals, thresholds 95/75, alpha 0.05', () => {
    const parsed = parseAnalysisConfig({ loadBalancer: ALB, minimumRequests: 200 });

    expect(parsed.ok && parsed.config).toMatchObject({
      intervalSeconds: 60,
      failureLimit: 3,
      thresholds: { pass: 95, marginal: 75 },
      alpha: 0.05,
      metrics: [{ preset: 'requestCount' }, { preset: 'errorRate' }, { preset: 'latencyP99' }],
    });
  });

  it('accepts tuned presets and a custom metric, filling its judging defaults', () => {
    const parsed = parseAnalysisConfig({
      loadBalancer: {
        type: 'elb',
        canary: { loadBalancerName: 'orders-canary' },
        stable: { loadBalancerName: 'orders' },
      },
      minimumRequests: 200,
      metrics: [{ preset: 'requestCount' }, { preset: 'latencyP50', tolerance: 0.2 }, CUSTOM],
    });

    expect(parsed.ok && parsed.config.metrics[2]).toEqual({
      ...CUSTOM,
      badDirection: 'up',
      tolerance: 0.1,
      critical: false,
      weight: 1,
    });
  });

  it('names the field and what was expected', () => {
    const parsed = parseAnalysisConfig({
      loadBalancer: { ...ALB, canary: { ...ALB.canary, targetGroup: 'orders-canary' } },
      minimumRequests: 0,
      thresholds: { pass: 70, marginal: 80 },
      alpha: 0,
    });

    expect(!parsed.ok && parsed.errors).toEqual([
      expect.stringMatching(
        /^loadBalancer\.canary\.targetGroup: a TargetGroup dimension such as "targetgroup\//,
      ),
      'minimumRequests: a request count of at least 1',
      'thresholds: marginal <= pass',
      'alpha: a significance level between 0 and 0.5',
    ]);
  });

  it('refuses an unknown load balancer type, a misspelt key and a missing minimumRequests', () => {
    const parsed = parseAnalysisConfig({ loadBalancer: { type: 'nlb' }, alhpa: 0.01 });

    expect(!parsed.ok && parsed.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^loadBalancer\.type: type "alb" \(Application Load Balancer.*or "elb"/),
        'analysis: unknown field(s) alhpa',
        expect.stringMatching(/^minimumRequests: /),
      ]),
    );
  });

  it('reports a broken custom metric field by field, not as "invalid input"', () => {
    const parsed = parseAnalysisConfig({
      loadBalancer: ALB,
      minimumRequests: 200,
      metrics: [
        { preset: 'requestCount' },
        { ...CUSTOM, stat: 'median', dimensions: { Fleet: '{canary}' } },
        { preset: 'latencyP90' },
      ],
    });

    expect(!parsed.ok && parsed.errors).toEqual([
      'metrics.1.stat: a statistic: Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99',
      'metrics.1.dimensions.Fleet: a dimension value; its only placeholder is {fleet}, replaced by canary, stable, blue or green',
      'metrics.1.dimensions: a dimension value with {fleet}, so that the canary and the stable fleet are queried apart',
      'metrics.2.preset: a preset: requestCount, errorRate, latencyP50, latencyP99',
    ]);
  });

  it('requires the request count that minimumRequests gates, and each metric once', () => {
    const parsed = parseAnalysisConfig({
      loadBalancer: ALB,
      minimumRequests: 200,
      metrics: [{ preset: 'errorRate' }, { preset: 'errorRate' }],
    });

    expect(!parsed.ok && parsed.errors).toEqual([
      expect.stringMatching(/^metrics: include \{ "preset": "requestCount" \}/),
      'metrics: each metric once: preset and custom names must be unique',
    ]);
  });

  it('judges errors as a critical ratio of 5XX to requests, by the metric names of each load balancer type', () => {
    const names = (type: 'alb' | 'elb') => {
      const preset = PRESETS[type].errorRate;
      return (
        preset.role === 'judged' && {
          kind: preset.definition.kind,
          critical: preset.definition.critical,
          metrics: preset.queries.map((q) => q.metricName),
        }
      );
    };

    expect(names('alb')).toEqual({
      kind: 'ratio',
      critical: true,
      metrics: ['HTTPCode_Target_5XX_Count', 'RequestCount'],
    });
    expect(names('elb')).toEqual({
      kind: 'ratio',
      critical: true,
      metrics: ['HTTPCode_Backend_5XX', 'RequestCount'],
    });
  });
});

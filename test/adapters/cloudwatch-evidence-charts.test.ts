import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricWidgetImageCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudWatchEvidenceCharts } from '../../adapters/cloudwatch-evidence-charts';
import { metricWidget } from '../../adapters/metric-widget';
import { analysisConfigSchema } from '../../domain/analysis-config';
import { analysedMetrics } from '../../domain/analysis-queries';
import type { MetricsSpan } from '../../domain/ports';
import { ALB } from '../support/analysis';
import { holdToContract } from '../support/aws-contract';

const cloudWatch = mockClient(CloudWatchClient);
holdToContract('cloudWatch', cloudWatch);
// The class mocks patch every client of the class: restore them for the next file in this worker.
afterAll(() => cloudWatch.restore());
const charts = cloudWatchEvidenceCharts(new CloudWatchClient({}));
const metrics = analysedMetrics(
  analysisConfigSchema.parse({
    loadBalancer: { type: 'alb', canary: ALB.canary, stable: ALB.stable },
    minimumRequests: 100,
  }),
);
const span: MetricsSpan = {
  from: '2026-12-04T10:00:00.000Z',
  to: '2026-12-04T10:30:00.000Z',
  periodSeconds: 60,
  baseline: 'sameTime',
};
/** The start of a PNG: its signature, then the IHDR chunk (CloudWatch answers with the image's bytes). */
const png = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);

/** AWS's Smithy model of CloudWatch: the contract the request and the answer must meet. */
const model = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../shared/aws-models/cloudwatch-2010-08-01.json'), 'utf8'),
) as { shapes: Record<string, { members?: Record<string, { target: string; traits?: object }> }> };
const shape = (name: string) => model.shapes[`com.amazonaws.cloudwatch#${name}`];

beforeEach(() => cloudWatch.reset());

describe('cloudWatchEvidenceCharts', () => {
  it('asks CloudWatch for one PNG of the metric widget, and returns it with its name and words', async () => {
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: png });

    const image = await charts.draw(metrics, span, 'orders-api 1.4.2: canary against stable');

    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricWidgetImageCommand, 1);
    const input = cloudWatch.commandCalls(GetMetricWidgetImageCommand)[0]?.args[0].input;
    expect(input?.OutputFormat).toBe('png');
    expect(JSON.parse(input?.MetricWidget ?? '')).toEqual(
      metricWidget(metrics, span, 'orders-api 1.4.2: canary against stable'),
    );
    expect(image).toEqual({
      png,
      filename: 'canary-vs-stable-20261204T1000Z.png',
      title: 'orders-api 1.4.2: canary against stable',
      altText: expect.stringContaining('error %, p99 (ms)'),
    });
  });

  it('sends only members of the documented input, with every required one, and reads the blob output', async () => {
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: png });

    await charts.draw(metrics, span, 't');

    const input = cloudWatch.commandCalls(GetMetricWidgetImageCommand)[0]?.args[0].input ?? {};
    const members = shape('GetMetricWidgetImageInput')?.members ?? {};
    for (const key of Object.keys(input)) expect(Object.keys(members)).toContain(key);
    const required = Object.entries(members).filter(([, m]) => m.traits && 'smithy.api#required' in m.traits);
    for (const [name] of required) expect(input).toHaveProperty(name);
    expect(shape('GetMetricWidgetImageOutput')?.members?.MetricWidgetImage?.target).toBe(
      'com.amazonaws.cloudwatch#MetricWidgetImage',
    );
  });

  it('throws when CloudWatch refuses, so that the effect is retried', async () => {
    cloudWatch.on(GetMetricWidgetImageCommand).rejects(
      new CloudWatchServiceException({
        name: 'InvalidParameterValue',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'The parameter MetricWidget must be valid JSON',
      }),
    );

    await expect(charts.draw(metrics, span, 't')).rejects.toThrow('MetricWidget');
  });

  it('throws when the answer holds no image', async () => {
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({});

    await expect(charts.draw(metrics, span, 't')).rejects.toThrow('no image');
  });
});

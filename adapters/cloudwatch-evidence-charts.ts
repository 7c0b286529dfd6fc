import { type CloudWatchClient, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import type { EvidenceCharts } from '../domain/ports';
import { chartDescription, metricWidget } from './metric-widget';

/**
 * The canary-vs-stable chart drawn by CloudWatch: one `GetMetricWidgetImage` call per chart, as a PNG. A failed
 * call, or an answer without an image, throws: the effect stays in the outbox and is retried.
 *
 * Needs `cloudwatch:GetMetricWidgetImage` (it takes no resource ARN: `Resource: '*'`).
 */
export function cloudWatchEvidenceCharts(client: CloudWatchClient): EvidenceCharts {
  return {
    async draw(metrics, span, title) {
      const widget = metricWidget(metrics, span, title);
      const { MetricWidgetImage } = await client.send(
        new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget), OutputFormat: 'png' }),
      );
      if (MetricWidgetImage === undefined || MetricWidgetImage.length === 0)
        throw new Error(`GetMetricWidgetImage returned no image for "${title}"`);
      return { png: MetricWidgetImage, ...chartDescription(metrics, span, title) };
    },
  };
}

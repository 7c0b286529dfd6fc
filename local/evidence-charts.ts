import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { chartDescription, metricWidget } from '../adapters/metric-widget';
import type { EvidenceCharts } from '../domain/ports';
import { chartSvg } from './chart-svg';
import { type GetMetricData, widgetLines } from './widget-data';

/** DejaVu Sans, from Debian's fonts-dejavu-core (scripts/setup.sh installs it). */
export const DEJAVU_SANS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

export interface LocalChartOptions {
  /** Answers the widget's metrics: the sandbox's GetMetricData stand-in, or a fake in tests. */
  readonly getMetricData: GetMetricData;
  /** TrueType fonts to draw the text with; the system's fonts when none of them exists. */
  readonly fontFiles?: readonly string[];
  readonly fontFamily?: string;
}

/**
 * The sandbox's charts: the same metric widget that CloudWatch draws on AWS (adapters/metric-widget.ts), read
 * through `getMetricData`, its metric math evaluated here, drawn as SVG and rasterised to PNG by resvg (no
 * browser). A failed read throws, as GetMetricWidgetImage would.
 *
 * @example
 * const charts = localEvidenceCharts({ getMetricData: (input) => standin.getMetricData(input) });
 * const image = await charts.draw(metrics, span, 'orders-api 1.4.2: canary against stable');
 */
export function localEvidenceCharts(options: LocalChartOptions): EvidenceCharts {
  const fontFiles = (options.fontFiles ?? DEJAVU_SANS).filter((file) => existsSync(file));
  const fontFamily = options.fontFamily ?? 'DejaVu Sans';
  return {
    async draw(metrics, span, title) {
      const widget = metricWidget(metrics, span, title);
      const lines = await widgetLines(widget, options.getMetricData);
      const svg = chartSvg(widget, lines, fontFamily);
      const rendered = new Resvg(svg, {
        font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: fontFamily },
        fitTo: { mode: 'original' },
      }).render();
      return { png: new Uint8Array(rendered.asPng()), ...chartDescription(metrics, span, title) };
    },
  };
}

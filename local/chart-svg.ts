import type { MetricWidget, WidgetAxis, WidgetYAxis } from '../adapters/metric-widget';
import type { ChartLine } from './widget-data';

/*
 * The metric widget drawn as SVG, close enough to CloudWatch's picture: the title, a time axis in UTC, a left
 * axis and (when the widget has one) a right axis from 0, one line per fleet and metric with a gap where data is
 * missing, blue/green's switch as a dashed vertical line, and the legend under the plot.
 *
 *   ┌ title ──────────────────────────────────────────┐
 *   │ %  ┊                                       ┊  ms │
 *   │    ┊   plot                                ┊     │
 *   │    └───────────────────────────────────────┘     │
 *   │        10:00    10:10    10:20    10:30 UTC      │
 *   │ ■ canary error %   ■ stable error %   …          │
 *   └─────────────────────────────────────────────────┘
 */

const FONT_SIZE = 12;
const LEGEND_ROW = 18;
const AXIS_COLOUR = '#5f6b7a';
const GRID_COLOUR = '#e9ebed';

interface Plot {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly start: number;
  readonly end: number;
}

/** The SVG of `widget` with its lines; `fontFamily` must be a font the rasteriser has. */
export function chartSvg(widget: MetricWidget, lines: readonly ChartLine[], fontFamily: string): string {
  const { width, height } = widget;
  const legend = legendLayout(lines, width - 24);
  const right = widget.yAxis.right === undefined ? 16 : 60;
  const plot: Plot = {
    left: 60,
    top: 36,
    width: width - 60 - right,
    height: height - 36 - 28 - legend.rows * LEGEND_ROW - 8,
    start: Date.parse(widget.start),
    end: Date.parse(widget.end),
  };
  const scales = {
    left: niceMax(lines.filter((l) => l.yAxis === 'left')),
    right: niceMax(lines.filter((l) => l.yAxis === 'right')),
  };
  const hasData = lines.some((line) => line.points.length > 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${escapeXml(fontFamily)}" font-size="${FONT_SIZE}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="14" font-weight="bold" fill="#16191f">${escapeXml(widget.title)}</text>`,
    yAxis(plot, widget.yAxis.left, scales.left, 'left'),
    widget.yAxis.right ? yAxis(plot, widget.yAxis.right, scales.right, 'right') : '',
    timeAxis(plot),
    ...(widget.annotations?.vertical ?? []).map((a) => vertical(plot, Date.parse(a.value), a.label)),
    ...lines.map((line) => path(plot, line, scales[line.yAxis], widget.period * 1000)),
    hasData
      ? ''
      : `<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height / 2}" text-anchor="middle" fill="${AXIS_COLOUR}">No data</text>`,
    legendSvg(legend.items, height - legend.rows * LEGEND_ROW - 4),
    '</svg>',
  ].join('\n');
}

/** A round top for an axis: 1, 2, 2.5 or 5 times a power of ten, above the highest value (1 when empty). */
function niceMax(lines: readonly ChartLine[]): number {
  const highest = Math.max(0, ...lines.flatMap((line) => line.points.map(([, v]) => v)));
  if (highest <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(highest));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * power >= highest * 1.05) ?? 10;
  return step * power;
}

function yAxis(plot: Plot, axis: WidgetYAxis, max: number, side: WidgetAxis): string {
  const x = side === 'left' ? plot.left : plot.left + plot.width;
  const parts = [
    `<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.top + plot.height}" stroke="${AXIS_COLOUR}"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = plot.top + plot.height - (plot.height * i) / 4;
    if (side === 'left' && i > 0)
      parts.push(
        `<line x1="${plot.left}" y1="${y}" x2="${plot.left + plot.width}" y2="${y}" stroke="${GRID_COLOUR}"/>`,
      );
    const labelX = side === 'left' ? x - 6 : x + 6;
    const anchor = side === 'left' ? 'end' : 'start';
    parts.push(
      `<text x="${labelX}" y="${y + 4}" text-anchor="${anchor}" fill="${AXIS_COLOUR}">${tick((max * i) / 4)}</text>`,
    );
  }
  if (axis.label) {
    const labelX = side === 'left' ? 14 : plot.left + plot.width + 50;
    const y = plot.top + plot.height / 2;
    parts.push(
      `<text x="${labelX}" y="${y}" text-anchor="middle" fill="${AXIS_COLOUR}" transform="rotate(-90 ${labelX} ${y})">${escapeXml(axis.label)}</text>`,
    );
  }
  return parts.join('\n');
}

function tick(value: number): string {
  if (value === 0) return '0';
  if (value >= 100) return value.toFixed(0);
  return Number(value.toPrecision(3)).toString();
}

/** Ticks on round minutes, at most 8 of them, labelled HH:MM (UTC). */
function timeAxis(plot: Plot): string {
  const bottom = plot.top + plot.height;
  const minutes = (plot.end - plot.start) / 60_000;
  const stepMinutes =
    [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].find((s) => minutes / s <= 8) ?? 1440;
  const step = stepMinutes * 60_000;
  const parts = [
    `<line x1="${plot.left}" y1="${bottom}" x2="${plot.left + plot.width}" y2="${bottom}" stroke="${AXIS_COLOUR}"/>`,
  ];
  for (let at = Math.ceil(plot.start / step) * step; at <= plot.end; at += step) {
    const x = xOf(plot, at);
    const label = new Date(at).toISOString().slice(11, 16);
    parts.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="${AXIS_COLOUR}"/>`);
    parts.push(
      `<text x="${x}" y="${bottom + 17}" text-anchor="middle" fill="${AXIS_COLOUR}">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${plot.left + plot.width}" y="${bottom + 30}" text-anchor="end" fill="${AXIS_COLOUR}" font-size="10">UTC</text>`,
  );
  return parts.join('\n');
}

function vertical(plot: Plot, at: number, label: string): string {
  const x = xOf(plot, at);
  return [
    `<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.top + plot.height}" stroke="${AXIS_COLOUR}" stroke-dasharray="4 3"/>`,
    `<text x="${x + 4}" y="${plot.top + 12}" fill="${AXIS_COLOUR}">${escapeXml(label)}</text>`,
  ].join('\n');
}

/** A line through the points, broken where more than a period and a half passes between two of them. */
function path(plot: Plot, line: ChartLine, max: number, periodMs: number): string {
  const segments: string[][] = [];
  let previous: number | undefined;
  for (const [at, value] of line.points) {
    const point = `${xOf(plot, at).toFixed(1)},${(plot.top + plot.height - (plot.height * value) / max).toFixed(1)}`;
    if (previous === undefined || at - previous > periodMs * 1.5) segments.push([point]);
    else segments[segments.length - 1]?.push(point);
    previous = at;
  }
  return segments
    .map((points) =>
      points.length === 1
        ? `<circle cx="${points[0]?.split(',')[0]}" cy="${points[0]?.split(',')[1]}" r="2.5" fill="${line.color}"/>`
        : `<polyline points="${points.join(' ')}" fill="none" stroke="${line.color}" stroke-width="2" stroke-linejoin="round"/>`,
    )
    .join('\n');
}

function xOf(plot: Plot, at: number): number {
  return plot.left + ((at - plot.start) / (plot.end - plot.start)) * plot.width;
}

interface LegendItem {
  readonly x: number;
  readonly row: number;
  readonly line: ChartLine;
}

/** Legend entries left to right, wrapping when a row is full (text width estimated from the font size). */
function legendLayout(lines: readonly ChartLine[], width: number) {
  const items: LegendItem[] = [];
  let [x, row] = [0, 0];
  for (const line of lines) {
    const itemWidth = 18 + line.label.length * FONT_SIZE * 0.6 + 16;
    if (x > 0 && x + itemWidth > width) [x, row] = [0, row + 1];
    items.push({ x, row, line });
    x += itemWidth;
  }
  return { items, rows: lines.length === 0 ? 0 : row + 1 };
}

function legendSvg(items: readonly LegendItem[], top: number): string {
  return items
    .map(({ x, row, line }) => {
      const y = top + row * LEGEND_ROW;
      return [
        `<rect x="${12 + x}" y="${y - 10}" width="12" height="12" fill="${line.color}"/>`,
        `<text x="${12 + x + 18}" y="${y}" fill="#16191f">${escapeXml(line.label)}</text>`,
      ].join('\n');
    })
    .join('\n');
}

function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

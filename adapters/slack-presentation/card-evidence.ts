import type { Evidence, MetricEvidence } from '../../domain/analysis-evidence';
import type { Release } from '../../domain/types';
import { clip, escapeMrkdwn, LIMITS, slackTime } from './mrkdwn';

/*
 * The evidence on the card: the canary's score against stable and a compact table of the figures behind it, so
 * the person who presses Promote sees how the canary compares, not only that no alarm fired.
 */

/** What the presets are called in the table (and in a plan preview); a custom metric keeps its own name. */
export const LABELS: Readonly<Record<string, string>> = {
  errorRate: 'error %',
  latencyP50: 'p50',
  latencyP99: 'p99',
};

const MARKS: Readonly<Record<MetricEvidence['classification'], string>> = {
  pass: '✓ pass',
  high: '✗ high',
  low: '✗ low',
  noData: '· no data',
};

const VERDICTS: Readonly<Record<Evidence['verdict'], string>> = {
  pass: '✅ pass',
  marginal: '⚠️ marginal',
  fail: '❌ fail',
  noData: '❔ no data',
};

/**
 * The score and the canary-vs-stable table, or null before the analysis judged anything.
 *
 * @example
 * evidenceText(release)
 * // '*Canary against stable*: score *100* ✅ pass (window end)\n```metric … ```'
 */
export function evidenceText(release: Release): string | null {
  const evidence = release.evidence;
  if (evidence === undefined) return null;
  const bake = evidence.of === 'bake';
  const window = bake ? 'bake' : 'window';
  const when = evidence.final
    ? `the whole ${window}`
    : `the ${window} so far, to ${slackTime(evidence.span.to)}`;
  const score = evidence.verdict === 'noData' ? '' : `: score *${evidence.score}*`;
  const title = bake ? 'The stable fleet against before the release' : 'Canary against stable';
  const head = `*${title}*${score} ${VERDICTS[evidence.verdict]} (over ${when})`;
  const why = evidence.verdict === 'pass' ? '' : `\n${escapeMrkdwn(clip(evidence.reason, 300))}`;
  return clip(`${head}${why}\n${table(evidence)}`, LIMITS.section);
}

/** A preset's label, also under a group member's name (`orders-api errorRate` reads `orders-api error %`). */
function labelOf(name: string): string {
  const space = name.lastIndexOf(' ');
  const [member, metric] = space < 0 ? ['', name] : [name.slice(0, space + 1), name.slice(space + 1)];
  return `${member}${LABELS[metric] ?? metric}`;
}

function table(evidence: Evidence): string {
  const rows: string[][] = [
    evidence.of === 'bake' ? ['', 'now', 'before', ''] : ['', 'canary', 'stable', ''],
    ['requests', count(evidence.requests.canary), count(evidence.requests.stable), ''],
    ...evidence.metrics.map((m) => [
      labelOf(m.name),
      figure(m, m.canary),
      figure(m, m.stable),
      `${MARKS[m.classification]}${m.critical && m.classification !== 'pass' ? ' (critical)' : ''}`,
    ]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : column < 3 ? cell.padStart(widths[column] ?? 0) : cell,
      )
      .join('  ')
      .trimEnd(),
  );
  // Metric names come from the service's configuration; inside a code block they are still escaped.
  return `\`\`\`${escapeMrkdwn(lines.join('\n'))}\`\`\``;
}

function count(value: number | undefined): string {
  return value === undefined ? '–' : Math.round(value).toLocaleString('en-US');
}

/** Rates as percentages, latencies in milliseconds, anything else as it came. */
export function figure(metric: Pick<MetricEvidence, 'unit'>, value: number | undefined): string {
  if (value === undefined) return '–';
  switch (metric.unit) {
    case 'rate':
      return `${(value * 100).toFixed(2)}%`;
    case 'seconds':
      return `${Math.round(value * 1000).toLocaleString('en-US')} ms`;
    default:
      return Number(value.toPrecision(4)).toString();
  }
}

import { describeNotice } from '../domain/notice';
import type { Notifier } from '../domain/ports';
import type { Release } from '../domain/types';

export interface TimelineEntry {
  readonly releaseId: string;
  readonly atMs: number;
  readonly state: Release['state'];
  readonly severity: string;
  readonly headline: string;
}

/** Records every notice of every release with its time, and prints it as it happens when asked to. */
export function timelineNotifier(
  print?: (line: string) => void,
): Notifier & { entries(releaseId: string): TimelineEntry[] } {
  const entries: TimelineEntry[] = [];
  return {
    async releaseChanged(release, notice) {
      const entry = {
        releaseId: release.id,
        atMs: Date.now(),
        state: release.state,
        severity: notice.severity,
        headline: describeNotice(notice.notice),
      };
      entries.push(entry);
      if (print && notice.severity !== 'progress')
        print(formatEntry(entry, entries.find((e) => e.releaseId === release.id)?.atMs ?? entry.atMs));
    },
    entries: (releaseId) => entries.filter((e) => e.releaseId === releaseId),
  };
}

export function formatEntry(entry: TimelineEntry, startMs: number): string {
  const seconds = ((entry.atMs - startMs) / 1000).toFixed(2).padStart(7);
  const mark = entry.severity === 'critical' ? '!!' : entry.severity === 'warning' ? ' !' : '  ';
  return `${seconds}s ${mark} ${entry.state.padEnd(17)} ${entry.headline}`;
}

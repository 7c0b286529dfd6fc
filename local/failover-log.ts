import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The sandbox's stand-in for the metric a host publishes from its routing proxy's failover log (README,
 * "Failovers"): reads the lines each log gained since the last poll and reports one failover per line, as a
 * CloudWatch agent metric filter counting those lines would.
 */
export function failoverLogTail(logs: () => readonly string[], onFailovers: (count: number) => void) {
  const offsets = new Map<string, number>();
  return {
    poll(): void {
      for (const log of logs()) {
        if (!existsSync(log)) continue;
        const size = statSync(log).size;
        const from = offsets.get(log) ?? 0;
        if (size <= from) continue;
        const chunk = Buffer.alloc(size - from);
        const fd = openSync(log, 'r');
        try {
          readSync(fd, chunk, 0, chunk.length, from);
        } finally {
          closeSync(fd);
        }
        // Only whole lines count; a line still being written is read on the next poll.
        const text = chunk.toString('utf8');
        const complete = text.lastIndexOf('\n') + 1;
        offsets.set(log, from + Buffer.byteLength(text.slice(0, complete)));
        const lines = text.slice(0, complete).split('\n').length - 1;
        if (lines > 0) onFailovers(lines);
      }
    },
  };
}

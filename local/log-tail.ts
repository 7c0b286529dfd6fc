import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The lines each log gained since the last poll, as a CloudWatch agent ships them: only whole lines, so a line still
 * being written is read on the next poll; a log that does not exist yet is skipped.
 */
export function logLinesTail(logs: () => readonly string[]) {
  const offsets = new Map<string, number>();
  return {
    poll(): { readonly log: string; readonly lines: readonly string[] }[] {
      const gained = [];
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
        const text = chunk.toString('utf8');
        const complete = text.slice(0, text.lastIndexOf('\n') + 1);
        offsets.set(log, from + Buffer.byteLength(complete));
        if (complete !== '') gained.push({ log, lines: complete.slice(0, -1).split('\n') });
      }
      return gained;
    },
  };
}

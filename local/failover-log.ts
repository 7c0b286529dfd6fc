import { logLinesTail } from './log-tail';

/**
 * The sandbox's stand-in for the metric a host publishes from its routing proxy's failover log (README,
 * "Failovers"): reads the lines each log gained since the last poll and reports one failover per line, as a
 * CloudWatch agent metric filter counting those lines would.
 */
export function failoverLogTail(logs: () => readonly string[], onFailovers: (count: number) => void) {
  const tail = logLinesTail(logs);
  return {
    poll(): void {
      for (const { lines } of tail.poll()) onFailovers(lines.length);
    },
  };
}

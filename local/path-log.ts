import { logLinesTail } from './log-tail';

/** Requests a routing proxy sent to its canary since the last poll: those that arrived tagged, and the others. */
export interface PathCounts {
  readonly tagged: number;
  readonly untagged: number;
}

/** The mark both routing proxies end each canary log line with (hosts/routing-nginx.ts, hosts/routing-envoy.ts). */
const MARK = / tagged=([01])$/;

/**
 * The sandbox's stand-in for the path counts a host publishes from its routing proxy's canary log (docs/deploy.md,
 * "Path counts"): `TaggedToCanary` counts the requests an upstream service's proxy had already sent on the new
 * path, `UntaggedToCanary` the ones this proxy chose itself. On a downstream service of a full-link release the
 * second must stay 0. Each poll reads the lines the logs gained, reports their counts to `onCounts` when there
 * are any, and returns them; a line without the mark (an older proxy's) counts as neither.
 */
export function pathLogTail(
  logs: () => readonly string[],
  onCounts: (counts: PathCounts) => void = () => {},
) {
  const tail = logLinesTail(logs);
  return {
    poll(): PathCounts {
      let tagged = 0;
      let untagged = 0;
      for (const { lines } of tail.poll()) {
        for (const line of lines) {
          const mark = MARK.exec(line)?.[1];
          if (mark === '1') tagged++;
          else if (mark === '0') untagged++;
        }
      }
      const counts = { tagged, untagged };
      if (tagged + untagged > 0) onCounts(counts);
      return counts;
    },
  };
}

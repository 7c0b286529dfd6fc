import { join } from 'node:path';
import { PATH_METRICS } from '../adapters/cloudwatch-path-counts';
import type { CountSource, LineCount } from './elb-metrics';
import { pathLogTail } from './path-log';
import type { SandboxHost } from './sandbox-fleet';

/** A service whose routing proxies' canary logs the sandbox counts: the hosts they run on. */
export interface PathLogged {
  readonly service: string;
  readonly hosts: () => readonly Pick<SandboxHost, 'fleet' | 'root'>[];
}

/**
 * The path metrics (docs/deploy.md, "Path counts") as a host's CloudWatch agent would publish them: each service's
 * routing proxies' canary logs, read when GetMetricData asks, become `TaggedToCanary` and `UntaggedToCanary` with
 * the dimension `Service`. `poll()` reads what the logs gained since the last poll, stamped `now()`: the sandbox
 * polls often, as an agent ships its logs, so that a line is counted in the period it was written in.
 */
export function pathCountSources(services: readonly PathLogged[], now: () => number) {
  const series = services.map(({ service, hosts }) => {
    const tagged: LineCount[] = [];
    const untagged: LineCount[] = [];
    const tail = pathLogTail(
      () => canaryLogs(hosts(), service),
      (counts) => {
        const atMs = now();
        if (counts.tagged > 0) tagged.push({ atMs, count: counts.tagged });
        if (counts.untagged > 0) untagged.push({ atMs, count: counts.untagged });
      },
    );
    const source: CountSource = {
      namespace: PATH_METRICS.namespace,
      dimensions: { Service: service },
      counts: { [PATH_METRICS.tagged]: () => tagged, [PATH_METRICS.untagged]: () => untagged },
    };
    return { tail, source };
  });
  return {
    poll(): void {
      for (const { tail } of series) tail.poll();
    },
    sources: (): CountSource[] => series.map((s) => s.source),
  };
}

/** The routing proxies run on the stable hosts (or the live colour's); the canary hosts run none. */
function canaryLogs(hosts: readonly Pick<SandboxHost, 'fleet' | 'root'>[], service: string): string[] {
  return hosts
    .filter((host) => host.fleet !== 'canary')
    .map((host) => join(host.root, 'state', service, 'routing-canary.log'));
}

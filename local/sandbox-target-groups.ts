import { get } from 'node:http';
import { type MemoryTargetGroups, memoryTargetGroups } from '../adapters/memory-target-groups';
import type { ServiceConfig } from '../domain/service-config';
import { BLUE_GREEN } from './sandbox-config';
import type { SandboxFleet, SandboxHost } from './sandbox-fleet';

/**
 * The deregistration delay of the sandbox's target groups: ELB's default is 300 s, but every sandbox request
 * finishes well within a second, which is all a drain has to wait for.
 */
const SANDBOX_DRAIN_MS = 1000;

/**
 * The blue and green target groups, each holding its colour's hosts, and the service's ELB following them: a
 * drained host gets no new request, a host put back gets requests once its health check passes.
 */
export function sandboxTargetGroups(
  fleet: SandboxFleet,
  config: ServiceConfig,
  nowMs: () => number,
): MemoryTargetGroups {
  const hosts = fleet.hosts();
  const idsOf = (colour: 'blue' | 'green') => hosts.filter((h) => h.fleet === colour).map((h) => h.id);
  const groups = memoryTargetGroups({
    registered: {
      [BLUE_GREEN.blue.targetGroupArn]: idsOf('blue'),
      [BLUE_GREEN.green.targetGroupArn]: idsOf('green'),
    },
    drainMs: SANDBOX_DRAIN_MS,
    // The sandbox's clock, which its timers keep: a drain's wait and its timer agree.
    now: nowMs,
    healthCheck: async (_arn, id) => {
      const host = hosts.find((h) => h.id === id);
      return host !== undefined && (await healthy(host, config));
    },
  });
  fleet.routeBy((colour) => groups.serving(BLUE_GREEN[colour].targetGroupArn));
  return groups;
}

/** ELB's health check: the service's health path through the host's listener answers 200 within a second. */
function healthy(host: SandboxHost, config: ServiceConfig): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(
      { host: host.address, port: config.proxy.listenPort, path: config.image.healthPath, timeout: 1000 },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

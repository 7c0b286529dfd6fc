import { get } from 'node:http';
import { type MemoryTargetGroups, memoryTargetGroups } from '../adapters/memory-target-groups';
import type { ServiceConfig } from '../domain/service-config';
import type { Colour } from '../domain/types';
import { BLUE_GREEN } from './sandbox-config';
import type { SandboxFleet, SandboxHost } from './sandbox-fleet';

/**
 * The deregistration delay of the sandbox's target groups: ELB's default is 300 s, but every sandbox request
 * finishes well within a second, which is all a drain has to wait for.
 */
const SANDBOX_DRAIN_MS = 1000;

/** A fleet behind target groups: each of its stable fleets' (blue and green, or stable) target group. */
export interface TargetedFleet {
  readonly fleet: SandboxFleet;
  readonly config: ServiceConfig;
  readonly targetGroups: Partial<Record<Colour | 'stable', string>>;
}

/** orders-api's: its blue and green target groups. */
export const ordersTargetGroups = (fleet: SandboxFleet, config: ServiceConfig): TargetedFleet => ({
  fleet,
  config,
  targetGroups: { blue: BLUE_GREEN.blue.targetGroupArn, green: BLUE_GREEN.green.targetGroupArn },
});

/**
 * Every fleet's target groups, each holding its fleet's hosts, and each service's ELB following them: a drained
 * host gets no new request, a host put back gets requests once its health check passes.
 */
export function sandboxTargetGroups(
  fleets: readonly TargetedFleet[],
  nowMs: () => number,
): MemoryTargetGroups {
  const registered: Record<string, string[]> = {};
  const owners = new Map<string, TargetedFleet>();
  for (const targeted of fleets) {
    for (const [name, arn] of Object.entries(targeted.targetGroups)) {
      const hosts = targeted.fleet.hosts().filter((h) => h.fleet === name);
      registered[arn] = hosts.map((h) => h.id);
      for (const host of hosts) owners.set(host.id, targeted);
    }
  }
  const groups = memoryTargetGroups({
    registered,
    drainMs: SANDBOX_DRAIN_MS,
    // The sandbox's clock, which its timers keep: a drain's wait and its timer agree.
    now: nowMs,
    healthCheck: async (_arn, id) => {
      const owner = owners.get(id);
      const host = owner?.fleet.hosts().find((h) => h.id === id);
      return owner !== undefined && host !== undefined && (await healthy(host, owner.config));
    },
  });
  for (const { fleet, targetGroups } of fleets) {
    fleet.routeBy((name) => {
      const arn = targetGroups[name];
      return arn === undefined ? fleet.hosts().map((h) => h.id) : groups.serving(arn);
    });
  }
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

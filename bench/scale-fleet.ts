/**
 * The scale simulation's fleet: hosts selected by their `canary-agent:fleet` tag, answering Run Command after a
 * realistic delay and now and then failing, as SSM reports it (one event per host, then one for the command).
 */

/** mulberry32: a small seeded PRNG, so that two runs of the simulation see the same delays and failures. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A lognormal draw (Box-Muller): most hosts answer near the median, a few take several times longer. */
export function lognormal(random: () => number, medianMs: number, sigma: number): number {
  const u = Math.max(random(), 1e-12);
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return medianMs * Math.exp(sigma * normal);
}

export interface FleetShape {
  readonly stablePerService: number;
  readonly canaryPerService: number;
  /** Per host and command: the share of invocations that fail (a pull error, a full disk). */
  readonly failureRate: number;
  /** A host's time from the command to its result: Docker pulls and nginx reloads, seconds to tens of seconds. */
  readonly medianMs: number;
  readonly sigma: number;
}

export interface HostResult {
  readonly hostId: string;
  readonly at: number;
  readonly status: 'Success' | 'Failed';
}

export interface CommandPlan {
  readonly hosts: readonly HostResult[];
  readonly finishedAt: number;
  readonly status: 'Success' | 'Failed';
}

export interface CommandRequest {
  readonly maxConcurrency: string;
  readonly maxErrors: string;
}

/** Instance ids by fleet tag value (`<service>-stable`, `<service>-canary`), 5,000 hosts for 200 services. */
export function buildFleet(services: readonly string[], shape: FleetShape): Map<string, string[]> {
  const fleets = new Map<string, string[]>();
  let next = 0;
  const hosts = (count: number) =>
    Array.from({ length: count }, () => `i-${(next++).toString(16).padStart(17, '0')}`);
  for (const service of services) {
    fleets.set(`${service}-stable`, hosts(shape.stablePerService));
    fleets.set(`${service}-canary`, hosts(shape.canaryPerService));
  }
  return fleets;
}

/** "10%" of 20 hosts is 2, "3" is 3: Run Command's rate controls, at least one. */
export function rateOf(control: string, hosts: number): number {
  const share = /^(\d+)%$/.exec(control);
  const value = share ? Math.ceil((Number(share[1]) / 100) * hosts) : Number(control);
  return Math.max(1, Number.isFinite(value) ? value : 1);
}

/**
 * When each host of a command finishes, as SSM runs it: `maxConcurrency` hosts at a time; once more than
 * `maxErrors` hosts failed, the hosts not yet started are not run and the command fails.
 */
export function planCommand(
  hostIds: readonly string[],
  request: CommandRequest,
  sentAt: number,
  shape: FleetShape,
  random: () => number,
): CommandPlan {
  const slots = Array.from({ length: rateOf(request.maxConcurrency, hostIds.length) }, () => sentAt);
  const allowed = request.maxErrors === '0' ? 0 : rateOf(request.maxErrors, hostIds.length);
  const hosts: HostResult[] = [];
  let failures = 0;
  for (const hostId of hostIds) {
    if (failures > allowed) break;
    slots.sort((a, b) => a - b);
    const start = slots[0] ?? sentAt;
    const at = start + lognormal(random, shape.medianMs, shape.sigma);
    slots[0] = at;
    const status = random() < shape.failureRate ? 'Failed' : 'Success';
    if (status === 'Failed') failures++;
    hosts.push({ hostId, at, status });
  }
  const last = Math.max(sentAt, ...hosts.map((h) => h.at));
  // SSM sends the command's own status a moment after its last host's.
  return { hosts, finishedAt: last + 1000, status: failures > allowed ? 'Failed' : 'Success' };
}

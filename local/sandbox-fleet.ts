import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceCensus } from '../domain/plan-survey';
import type { ServiceConfig } from '../domain/service-config';
import type { Colour } from '../domain/types';
import { type LoadBalancer, loadBalancer } from './load-balancer';
import {
  makeHost,
  provisionColour,
  runOnHost,
  runsOnOwnNginx,
  type SandboxFleetName,
  type SandboxHost,
  stopHostProcesses,
} from './sandbox-host';

export type { SandboxFleetName, SandboxHost } from './sandbox-host';

interface SandboxFleetOptions {
  readonly dir: string;
  readonly config: ServiceConfig;
  /** Hosts per colour. */
  readonly colourHosts: number;
  readonly canaryHosts: number;
  /** The colour the service's listener forwards to, read on every request (a blue/green service only). */
  readonly liveColour?: () => Colour;
  readonly onCanaryResponse: (status: number, atMs: number) => void;
  readonly onColourResponse?: (colour: Colour, status: number, atMs: number) => void;
  /** The service's 127.N.S prefix; a fresh sandbox network (S = 0) unless given. */
  readonly network?: string;
  /** The clock the load balancers stamp their request records with (the sandbox's skipping clock's `nowMs`). */
  readonly now?: () => number;
}

/**
 * The sandbox's fleet of one service: a blue and a green fleet behind the service's "ELB" (the demo service's URL),
 * whose listener forwards to the live colour (the stable fleet), or a stable fleet for a service without
 * blue/green, and canary hosts behind a canary "ELB". Each ELB's responses feed the local 5XX alarms. Host
 * operations run the repository's SSM documents for real.
 */
export async function sandboxFleet(options: SandboxFleetOptions) {
  const network = options.network ?? sandboxNetwork();
  const hosts: SandboxHost[] = [];
  const routing: Routing = {};
  const { stableLb, canaryLb } = fleetLoadBalancers(options, hosts, routing);
  const colourHosts = () => hosts.filter((h) => h.fleet !== 'canary');
  let listening = false;
  /** Both load balancers listen, so their URLs are known before any host exists (a chain's upstream needs them). */
  const listen = async () => {
    if (listening) return;
    listening = true;
    await stableLb.start();
    await canaryLb.start();
  };
  return {
    network,
    hosts: () => [...hosts],
    stableLb,
    canaryLb,
    run: runOnHost,
    listen,
    /** Starts the load balancers (unless listening), creates the hosts and puts `version` on the stable fleet. */
    async start(version: string): Promise<void> {
      await listen();
      const placement = { dir: options.dir, network, config: options.config, mirrorPort: canaryLb.port() };
      for (const [fleet, index] of hostSlots(options)) hosts.push(await makeHost(fleet, index, placement));
      await Promise.all(colourHosts().map((h) => provisionColour(options.config, h, version)));
    },
    /**
     * From now on the service's ELB sends new requests only to the live colour's (or stable fleet's) hosts `serving`
     * names (its target group's healthy members), as an ELB follows registration: a drained host gets none.
     */
    routeBy(serving: (fleet: Colour | 'stable') => readonly string[]): void {
      routing.serving = serving;
    },
    /** The hosts the listener forwards to now: the stable fleet. */
    liveHosts(): SandboxHost[] {
      return hosts.filter((h) => h.fleet === liveFleet(options));
    },
    /** Hosts whose tags include every one of `targets`, as Run Command's tag targets select them. */
    hostsMatching(targets: Readonly<Record<string, string>>): SandboxHost[] {
      return hosts.filter((h) => Object.entries(targets).every(([key, value]) => h.tags[key] === value));
    },
    /**
     * What SSM's DescribeInstanceInformation would count for `/canary plan`: the hosts with every one of the tags.
     * Each is online, since every sandbox host runs the commands sent to it (local/local-fleet-operator.ts).
     */
    census: {
      count: async (tags) => {
        const matching = hosts.filter((h) =>
          Object.entries(tags).every(([key, value]) => h.tags[key] === value),
        );
        return { all: matching.length, online: matching.length };
      },
    } satisfies InstanceCensus,
    /** From now on `version` passes its health checks but answers live requests with 500 on the canary fleet. */
    markFaulty(version: string): void {
      for (const host of hosts) appendFileSync(join(host.root, 'docker', 'faulty'), `${version}\n`);
    },
    /** From now on `version` answers correctly but three times as slowly, on every host: what no 5xx alarm sees. */
    markSlow(version: string): void {
      for (const host of hosts) appendFileSync(join(host.root, 'docker', 'slow'), `${version}\n`);
    },
    /**
     * From now on `version` answers every request, health checks included, with 503 (a canary that went down), on
     * every host or on the hosts named.
     */
    markUnhealthy(version: string, hostIds?: readonly string[]): void {
      for (const host of hosts)
        if (hostIds === undefined || hostIds.includes(host.id))
          appendFileSync(join(host.root, 'docker', 'unhealthy'), `${version}\n`);
    },
    /** True when no agent-installed proxy (mirroring nginx or Envoy) is running on any blue or green host. */
    stableOnOwnNginx(): boolean {
      return colourHosts().every(runsOnOwnNginx);
    },
    async stop(): Promise<void> {
      for (const host of hosts) stopHostProcesses(host);
      await stableLb.stop();
      await canaryLb.stop();
    },
  };
}

/**
 * Each sandbox takes its own 127.N.0.0/24 (all of 127/8 is loopback on Linux): two sandboxes at once (the browser
 * test beside another) would otherwise share 127.0.0.10:8000 through SO_REUSEPORT and serve each other's traffic.
 * The chain's other services take 127.N.1 and 127.N.2 of the same sandbox.
 */
export function sandboxNetwork(): string {
  return `127.${1 + (process.pid % 200) + Math.floor(Math.random() * 50)}.0`;
}

/** The fleet the service's ELB forwards to now: the live colour, or the stable fleet of a service without one. */
function liveFleet(options: SandboxFleetOptions): Colour | 'stable' {
  return options.config.blueGreen ? (options.liveColour?.() ?? 'blue') : 'stable';
}

/**
 * Blue hosts, then green (or the stable hosts), then canary, each numbered from 1: the order their ids and
 * addresses are given in.
 */
function hostSlots(options: SandboxFleetOptions): [SandboxFleetName, number][] {
  const slots: [SandboxFleetName, number][] = [];
  const stableFleets = options.config.blueGreen ? (['blue', 'green'] as const) : (['stable'] as const);
  for (const fleet of stableFleets) for (let i = 1; i <= options.colourHosts; i++) slots.push([fleet, i]);
  for (let i = 1; i <= options.canaryHosts; i++) slots.push(['canary', i]);
  return slots;
}

/** Which of a colour's hosts its target group sends requests to; until set, all of them. */
interface Routing {
  serving?: (fleet: Colour | 'stable') => readonly string[];
}

/** Both ELBs read `hosts` on every request, so they serve the hosts `start` adds after they listen. */
function fleetLoadBalancers(
  options: SandboxFleetOptions,
  hosts: readonly SandboxHost[],
  routing: Routing,
): { stableLb: LoadBalancer; canaryLb: LoadBalancer } {
  const { config } = options;
  const canaryHosts = () => hosts.filter((h) => h.fleet === 'canary');
  const canaryLb = loadBalancer({
    name: 'canary-elb',
    // The canary stack's ELB sends straight to the canary containers (no proxy swap happens on canary hosts).
    targets: () => canaryHosts().map((h) => ({ host: h.address, port: config.image.containerPort })),
    onResponse: options.onCanaryResponse,
    now: options.now,
    // A `-quiet` canary is one the mirror never reaches: its ELB drops what the stable hosts send it.
    reachable: () => !quietBuildRunning(canaryHosts().map((h) => join(h.root, 'docker'))),
  });
  const stableLb = loadBalancer({
    name: 'service-elb',
    targets: () => {
      const live = liveFleet(options);
      const serving = routing.serving?.(live);
      return hosts
        .filter((h) => h.fleet === live && (serving === undefined || serving.includes(h.id)))
        .map((h) => ({ host: h.address, port: config.proxy.listenPort }));
    },
    onResponse: (status, atMs, target) => {
      const colour = hosts.find((h) => h.address === target?.host)?.fleet;
      if (colour === 'blue' || colour === 'green') options.onColourResponse?.(colour, status, atMs);
    },
    now: options.now,
  });
  return { stableLb, canaryLb };
}

let quietCheck: { key: string; atMs: number; quiet: boolean } | undefined;

/**
 * True while a container of a build tagged `-quiet` runs under one of these fake Docker folders: the sandbox's
 * "mirroring broken" build. Read from the fake Docker's state at most every 200 ms.
 */
export function quietBuildRunning(dockerDirs: readonly string[]): boolean {
  const key = dockerDirs.join('\n');
  if (quietCheck?.key === key && Date.now() - quietCheck.atMs < 200) return quietCheck.quiet;
  const quiet = dockerDirs.some((dir) => {
    const containers = join(dir, 'containers');
    return (existsSync(containers) ? readdirSync(containers) : []).some((file) => {
      try {
        const c = JSON.parse(readFileSync(join(containers, file), 'utf8')) as {
          image?: string;
          running?: boolean;
        };
        return c.running === true && /-quiet$/.test(c.image ?? '');
      } catch {
        return false; // Being rewritten: the next check reads it.
      }
    });
  });
  quietCheck = { key, atMs: Date.now(), quiet };
  return quiet;
}

export type SandboxFleet = Awaited<ReturnType<typeof sandboxFleet>>;

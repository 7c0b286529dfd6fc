import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceConfig } from '../domain/service-config';
import type { Colour } from '../domain/types';
import { renderStableNginx } from '../hosts/nginx-config';
import { type RunOutcome, runDocument } from '../hosts/run-document';
import { freePort } from './free-port';
import { type LoadBalancer, loadBalancer } from './load-balancer';

const here = dirname(fileURLToPath(import.meta.url));
const documentsDir = join(here, '../hosts/documents');
/** Stand-ins for the Docker CLI (containers are small Node HTTP servers) and Envoy's validator. */
const shimsDir = join(here, '../test/hosts/shims');

/**
 * One simulated EC2 host: its own loopback address (127.N.0.x, so every host can bind the service's real ports),
 * its own state, nginx and "Docker" under the sandbox folder, and the EC2 tags that put it in a fleet.
 */
export type SandboxFleetName = Colour | 'canary';

export interface SandboxHost {
  readonly id: string;
  readonly fleet: SandboxFleetName;
  readonly address: string;
  readonly root: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The sandbox's fleet: a blue and a green fleet behind the service's "ELB" (the demo service's URL), whose listener
 * forwards to the live colour (the stable fleet), and canary hosts behind a canary "ELB". Each ELB's responses
 * feed the local 5XX alarms. Host operations run the repository's SSM documents for real.
 */
export async function sandboxFleet(options: {
  readonly dir: string;
  readonly config: ServiceConfig;
  /** Hosts per colour. */
  readonly colourHosts: number;
  readonly canaryHosts: number;
  /** The colour the service's listener forwards to, read on every request. */
  readonly liveColour: () => Colour;
  readonly onCanaryResponse: (status: number, atMs: number) => void;
  readonly onColourResponse: (colour: Colour, status: number, atMs: number) => void;
  /** The clock the load balancers stamp their request records with (the sandbox's skipping clock's `nowMs`). */
  readonly now?: () => number;
}) {
  const { config, dir } = options;
  // Each sandbox takes its own 127.N.0.0/24 (all of 127/8 is loopback on Linux): two sandboxes at once (the
  // browser test beside another) would otherwise share 127.0.0.10:8000 through SO_REUSEPORT and serve each
  // other's traffic.
  const network = `127.${1 + (process.pid % 200) + Math.floor(Math.random() * 50)}.0`;
  const canaryLb: LoadBalancer = loadBalancer({
    name: 'canary-elb',
    // The canary stack's ELB sends straight to the canary containers (no proxy swap happens on canary hosts).
    targets: () =>
      hosts
        .filter((h) => h.fleet === 'canary')
        .map((h) => ({ host: h.address, port: config.image.containerPort })),
    onResponse: options.onCanaryResponse,
    now: options.now,
    // A `-quiet` canary is one the mirror never reaches: its ELB drops what the stable hosts send it.
    reachable: () =>
      !quietBuildRunning(hosts.filter((h) => h.fleet === 'canary').map((h) => join(h.root, 'docker'))),
  });
  const stableLb: LoadBalancer = loadBalancer({
    name: 'service-elb',
    targets: () =>
      hosts
        .filter((h) => h.fleet === options.liveColour())
        .map((h) => ({ host: h.address, port: config.proxy.listenPort })),
    onResponse: (status, atMs, target) => {
      const colour = hosts.find((h) => h.address === target?.host)?.fleet;
      if (colour === 'blue' || colour === 'green') options.onColourResponse(colour, status, atMs);
    },
    now: options.now,
  });
  const hosts: SandboxHost[] = [];

  const hostNumbers: Readonly<Record<SandboxFleetName, { digit: string; address: number }>> = {
    blue: { digit: 'b', address: 10 },
    green: { digit: 'e', address: 30 },
    canary: { digit: 'c', address: 20 },
  };

  async function makeHost(fleet: SandboxFleetName, index: number): Promise<SandboxHost> {
    const numbers = hostNumbers[fleet];
    const id = `i-0${numbers.digit}a4db0000000${index}`;
    const root = join(dir, 'hosts', id);
    for (const d of ['state', 'run', 'docker', 'nginx-temp', 'logs'])
      mkdirSync(join(root, d), { recursive: true });
    const address = `${network}.${numbers.address + index}`;
    const env = {
      PATH: `${shimsDir}:${process.env.PATH}`,
      FAKE_DOCKER_DIR: join(root, 'docker'),
      FAKE_SERVICE_LOG: '0',
      // 15 ms of service time (45 ms for a -slow build): well above what a loaded machine adds to either path.
      FAKE_SERVICE_MS: '15',
      CA_STATE_DIR: join(root, 'state'),
      CA_RUN_DIR: join(root, 'run'),
      CA_NGINX_CONF: join(root, 'nginx.conf'),
      CA_NGINX_PID: join(root, 'run', 'nginx.pid'),
      CA_NGINX_WORKERS: '1',
      CA_LISTEN_ADDRESS: address,
      CA_UPSTREAM_ADDRESS: address,
      CA_CONTAINER_HOST_ADDRESS: address,
      CA_ADMIN_PORT: String(await freePort()),
      CA_MIRROR_PORT: String(canaryLb.port()),
      CA_RESOLVER: '127.0.0.1',
      CA_HEALTH_TIMEOUT_SECONDS: '10',
      CA_READY_TIMEOUT_SECONDS: '10',
      // Longer than the simulated load balancer keeps an idle connection (Node's agent: 5 s), so a hand-off waits
      // until every connection the old proxy held has been told to close (docs/hand-offs.md).
      CA_DRAIN_SECONDS: '6',
      CA_ENVOY_DRAIN_SECONDS: '0',
      CA_LOCK_WAIT_SECONDS: '30',
    };
    const tags = fleet === 'canary' ? config.fleets.canary.tags : config.blueGreen?.[fleet].tags;
    if (tags === undefined) throw new Error(`${config.service} has no ${fleet} fleet`);
    return { id, fleet, address, root, tags, env };
  }

  /** Runs one host operation's document on one host, exactly as Run Command would (parameters checked first). */
  function run(
    host: SandboxHost,
    operation: string,
    parameters: Readonly<Record<string, string>>,
  ): Promise<RunOutcome> {
    return runDocument(join(documentsDir, `${kebab(operation)}.yml`), parameters, {
      env: host.env,
      timeoutMs: 120_000,
    });
  }

  /** A blue or green host as the team runs it before any release: the current version behind the host's own nginx. */
  async function provisionColour(host: SandboxHost, version: string): Promise<void> {
    const deployed = await run(host, 'restoreStable', {
      Service: config.service,
      ReleaseId: 'sandbox-provisioning',
      Image: config.image.repository,
      ContainerPort: String(config.image.containerPort),
      HealthPath: config.image.healthPath,
      Version: version,
    });
    if (!deployed.ok || deployed.exitCode !== 0)
      throw new Error(`cannot provision ${host.id}: ${JSON.stringify(deployed)}`);
    const conf = renderStableNginx(
      {
        service: config.service,
        listenAddress: host.address,
        listenPort: config.proxy.listenPort,
        upstreamAddress: host.address,
        servicePort: config.proxy.servicePort,
        connectTimeoutSeconds: config.proxy.connectTimeoutSeconds,
        readTimeoutSeconds: config.proxy.readTimeoutSeconds,
        sendTimeoutSeconds: config.proxy.sendTimeoutSeconds,
      },
      {
        pidFile: host.env.CA_NGINX_PID as string,
        tempDir: join(host.root, 'nginx-temp'),
        errorLog: join(host.root, 'logs', 'nginx-error.log'),
        workerProcesses: '1',
      },
    );
    writeFileSync(host.env.CA_NGINX_CONF as string, conf);
    execFileSync(
      'nginx',
      ['-c', host.env.CA_NGINX_CONF as string, '-e', join(host.root, 'logs', 'nginx-error.log')],
      { stdio: 'ignore' },
    );
  }

  function pidsOf(host: SandboxHost): number[] {
    const pids: number[] = [];
    const runDir = join(host.root, 'run');
    for (const f of existsSync(runDir) ? readdirSync(runDir) : []) {
      if (f.endsWith('.pid')) pids.push(Number(readFileSync(join(runDir, f), 'utf8').trim()) || 0);
    }
    const containers = join(host.root, 'docker', 'containers');
    for (const f of existsSync(containers) ? readdirSync(containers) : []) {
      pids.push(Number((JSON.parse(readFileSync(join(containers, f), 'utf8')) as { pid?: number }).pid) || 0);
    }
    return pids.filter((pid) => pid > 0);
  }

  return {
    hosts: () => [...hosts],
    stableLb,
    canaryLb,
    run,
    /** Starts the load balancers, creates the hosts and puts `version` on both colours. */
    async start(version: string): Promise<void> {
      await stableLb.start();
      await canaryLb.start();
      for (const colour of ['blue', 'green'] as const)
        for (let i = 1; i <= options.colourHosts; i++) hosts.push(await makeHost(colour, i));
      for (let i = 1; i <= options.canaryHosts; i++) hosts.push(await makeHost('canary', i));
      await Promise.all(hosts.filter((h) => h.fleet !== 'canary').map((h) => provisionColour(h, version)));
    },
    /** The hosts the listener forwards to now: the stable fleet. */
    liveHosts(): SandboxHost[] {
      return hosts.filter((h) => h.fleet === options.liveColour());
    },
    /** Hosts whose tags include every one of `targets`, as Run Command's tag targets select them. */
    hostsMatching(targets: Readonly<Record<string, string>>): SandboxHost[] {
      return hosts.filter((h) => Object.entries(targets).every(([key, value]) => h.tags[key] === value));
    },
    /** From now on `version` passes its health checks but answers live requests with 500 on the canary fleet. */
    markFaulty(version: string): void {
      for (const host of hosts) appendFileSync(join(host.root, 'docker', 'faulty'), `${version}\n`);
    },
    /** From now on `version` answers every request, health checks included, with 503: a canary that went down. */
    markUnhealthy(version: string): void {
      for (const host of hosts) appendFileSync(join(host.root, 'docker', 'unhealthy'), `${version}\n`);
    },
    /** True when no agent-installed proxy (mirroring nginx or Envoy) is running on any blue or green host. */
    stableOnOwnNginx(): boolean {
      return hosts
        .filter((h) => h.fleet !== 'canary')
        .every((h) =>
          readdirSync(join(h.root, 'run')).every(
            (f) => !f.endsWith('.pid') || f === 'nginx.pid' || !isAlive(join(h.root, 'run', f)),
          ),
        );
    },
    async stop(): Promise<void> {
      for (const host of hosts) {
        for (const pid of pidsOf(host)) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // Already gone.
          }
        }
      }
      await stableLb.stop();
      await canaryLb.stop();
    },
  };
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

function isAlive(pidFile: string): boolean {
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

export type SandboxFleet = Awaited<ReturnType<typeof sandboxFleet>>;

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerParameters } from '../domain/container-parameters';
import type { ServiceConfig } from '../domain/service-config';
import type { Colour } from '../domain/types';
import { renderStableNginx } from '../hosts/nginx-config';
import { type RunOutcome, runDocument } from '../hosts/run-document';
import { freePort } from './free-port';

const here = dirname(fileURLToPath(import.meta.url));
const documentsDir = join(here, '../hosts/documents');
/** Where the sandbox finds a service's own deploy document: the examples'. */
const CUSTOM_DOCUMENTS_DIR = join(here, '../examples/documents');
/** Stand-ins for the Docker CLI (containers are small Node HTTP servers) and Envoy's validator. */
const shimsDir = join(here, '../test/hosts/shims');

/** A blue/green service's colours, or the stable fleet of a service without blue/green; and the canary fleet. */
export type SandboxFleetName = Colour | 'stable' | 'canary';

/**
 * One simulated EC2 host: its own loopback address (127.N.S.x, S for its service, so every host can bind the
 * service's real ports), its own state, nginx and "Docker" under the sandbox folder, and the EC2 tags that put it
 * in a fleet.
 */
export interface SandboxHost {
  readonly id: string;
  readonly fleet: SandboxFleetName;
  readonly address: string;
  readonly root: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
}

/** Where a new host goes: its folder under `dir`, its address in the sandbox's `network`. */
export interface HostPlacement {
  readonly dir: string;
  /** The service's own 127.N.S prefix in the sandbox (S: 0 for orders-api, one each for the chain's others). */
  readonly network: string;
  readonly config: ServiceConfig;
  /** The canary load balancer's port, where a host's mirroring proxy sends its copies. */
  readonly mirrorPort: number;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const hostNumbers: Readonly<Record<SandboxFleetName, { digit: string; address: number }>> = {
  blue: { digit: 'b', address: 10 },
  // A service has blue and green, or a stable fleet: never both, so they may share addresses.
  stable: { digit: 'a', address: 10 },
  green: { digit: 'e', address: 30 },
  canary: { digit: 'c', address: 20 },
};

export async function makeHost(
  fleet: SandboxFleetName,
  index: number,
  placement: HostPlacement,
): Promise<SandboxHost> {
  const { config } = placement;
  const numbers = hostNumbers[fleet];
  // The network's service digit keeps ids unique across the chain's services (orders-api's stay as they were).
  const service = placement.network.split('.').at(-1) ?? '0';
  const id = `i-0${numbers.digit}a4db${service}000000${index}`;
  const root = join(placement.dir, 'hosts', id);
  for (const d of ['state', 'run', 'docker', 'nginx-temp', 'logs'])
    mkdirSync(join(root, d), { recursive: true });
  const address = `${placement.network}.${numbers.address + index}`;
  const env = await hostEnv(root, address, placement.mirrorPort);
  const tags =
    fleet === 'canary' || fleet === 'stable' ? config.fleets[fleet]?.tags : config.blueGreen?.[fleet].tags;
  if (tags === undefined) throw new Error(`${config.service} has no ${fleet} fleet`);
  return { id, fleet, address, root, tags, env };
}

/** The host's documents run with the fake Docker on their PATH and every host path and address redirected here. */
async function hostEnv(root: string, address: string, mirrorPort: number): Promise<Record<string, string>> {
  return {
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
    // The agent's proxies log each request here, not to the machine's /var/log/nginx.
    CA_ACCESS_LOG: join(root, 'logs', 'access.log'),
    CA_LISTEN_ADDRESS: address,
    CA_UPSTREAM_ADDRESS: address,
    CA_CONTAINER_HOST_ADDRESS: address,
    CA_ADMIN_PORT: String(await freePort()),
    CA_MIRROR_PORT: String(mirrorPort),
    CA_RESOLVER: '127.0.0.1',
    CA_HEALTH_TIMEOUT_SECONDS: '10',
    CA_READY_TIMEOUT_SECONDS: '10',
    // Longer than the simulated load balancer keeps an idle connection (Node's agent: 5 s), so a hand-off waits
    // until every connection the old proxy held has been told to close (docs/hand-offs.md).
    CA_DRAIN_SECONDS: '6',
    CA_ENVOY_DRAIN_SECONDS: '0',
    CA_LOCK_WAIT_SECONDS: '30',
  };
}

/** Runs one host operation's document on one host, exactly as Run Command would (parameters checked first). */
/**
 * Runs an operation's document on a host: the agent's own, or a service's deploy document (`deploy.document`),
 * which the sandbox finds among the examples' documents.
 */
export function runOnHost(
  host: SandboxHost,
  operation: string,
  parameters: Readonly<Record<string, string>>,
  customDocument?: string,
): Promise<RunOutcome> {
  const path = customDocument
    ? join(CUSTOM_DOCUMENTS_DIR, `${customDocument}.yml`)
    : join(documentsDir, `${kebab(operation)}.yml`);
  return runDocument(path, parameters, {
    env: host.env,
    timeoutMs: 120_000,
  });
}

/**
 * A stable (blue, green) host as the team runs it before any release: the current version, with the service's
 * container settings (its environment: a chain member's downstream), behind the host's own nginx.
 */
export async function provisionColour(
  config: ServiceConfig,
  host: SandboxHost,
  version: string,
): Promise<void> {
  const deployed = await runOnHost(host, 'restoreStable', {
    Service: config.service,
    ReleaseId: 'sandbox-provisioning',
    Image: config.image.repository,
    ContainerPort: String(config.image.containerPort),
    HealthPath: config.image.healthPath,
    ...containerParameters(config),
    Version: version,
  });
  if (!deployed.ok || deployed.exitCode !== 0)
    throw new Error(`cannot provision ${host.id}: ${JSON.stringify(deployed)}`);
  startOwnNginx(config, host);
}

function startOwnNginx(config: ServiceConfig, host: SandboxHost): void {
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

/** True when no agent-installed proxy (mirroring nginx or Envoy) runs on the host: only its own nginx may. */
export function runsOnOwnNginx(host: SandboxHost): boolean {
  return readdirSync(join(host.root, 'run')).every(
    (f) => !f.endsWith('.pid') || f === 'nginx.pid' || !isAlive(join(host.root, 'run', f)),
  );
}

export function stopHostProcesses(host: SandboxHost): void {
  for (const pid of pidsOf(host)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
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

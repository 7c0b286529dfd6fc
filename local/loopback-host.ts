/**
 * Simulated EC2 hosts on loopback for the host-operation tests and the proxy hand-off bench: each has its own state,
 * run directory, nginx (Debian's, started for real) and fake Docker daemon (test/hosts/shims) under a temporary root.
 * Nothing here imports vitest, so `npm run bench` can use it outside a test run.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderStableNginx, type StableSettings } from '../hosts/nginx-config';
import { type RunOutcome, runDocument } from '../hosts/run-document';

const here = dirname(fileURLToPath(import.meta.url));
export const documentPath = (file: string) => join(here, '../hosts/documents', file);

/** Holds a loopback port (without SO_REUSEPORT) until closed: the "port taken" failure. */
export function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** One simulated host: its own state, run dir, nginx files and fake Docker daemon under a temporary root. */
export interface Host {
  readonly root: string;
  readonly env: Record<string, string>;
  readonly nginxConf: string;
  readonly nginxPid: string;
}

export function createHost(name: string, adminPort: number, extra: Record<string, string> = {}): Host {
  const root = mkdtempSync(join(tmpdir(), `ca-${name}-`));
  // nginx's workers run as `nobody` under root and must reach the drain switch's file in run/ (docs/hand-offs.md).
  chmodSync(root, 0o755);
  for (const d of ['state', 'run', 'docker', 'nginx-temp']) mkdirSync(join(root, d));
  const nginxConf = join(root, 'nginx.conf');
  const nginxPid = join(root, 'run', 'nginx.pid');
  const env = {
    PATH: `${join(here, '../test/hosts/shims')}:${process.env.PATH}`,
    FAKE_DOCKER_DIR: join(root, 'docker'),
    CA_STATE_DIR: join(root, 'state'),
    CA_RUN_DIR: join(root, 'run'),
    CA_NGINX_CONF: nginxConf,
    CA_NGINX_PID: nginxPid,
    CA_NGINX_WORKERS: '1',
    CA_LISTEN_ADDRESS: '127.0.0.1',
    CA_ADMIN_PORT: String(adminPort),
    CA_RESOLVER: '127.0.0.1',
    CA_HEALTH_TIMEOUT_SECONDS: '3',
    CA_READY_TIMEOUT_SECONDS: '5',
    CA_DRAIN_SECONDS: '5',
    CA_ENVOY_DRAIN_SECONDS: '0',
    CA_LOCK_WAIT_SECONDS: '10',
    // The agent's proxies keep the host's access log: this host's, never the machine's /var/log/nginx.
    CA_ACCESS_LOG: join(root, 'access.log'),
    ...extra,
  };
  return { root, env, nginxConf, nginxPid };
}

export function docker(host: Host, ...args: string[]): string {
  return execFileSync('docker', args, { env: { ...process.env, ...host.env }, encoding: 'utf8' });
}

/** The settings the real-nginx tests share: everything on loopback, nginx timeouts of 5, 30 and 45 s. */
export function loopbackStable(listenPort: number, servicePort: number): StableSettings {
  return {
    service: 'orders-api',
    listenAddress: '127.0.0.1',
    listenPort,
    upstreamAddress: '127.0.0.1',
    servicePort,
    connectTimeoutSeconds: 5,
    readTimeoutSeconds: 30,
    sendTimeoutSeconds: 45,
  };
}

/** The service as the team's tooling runs it: `image:version` in the container named after it, on `port`. */
export function runService(host: Host, image: string, port: number, version: string): void {
  docker(host, 'pull', `${image}:${version}`);
  docker(host, 'run', '-d', '--name', 'orders-api', '-p', `127.0.0.1:${port}:${port}`, `${image}:${version}`);
}

/** The host's own nginx, as the team runs it: `listen ... reuseport` in front of the service. */
export function startStableNginx(host: Host, settings: StableSettings, reuseport = true): void {
  let conf = renderStableNginx(settings, {
    pidFile: host.nginxPid,
    tempDir: join(host.root, 'nginx-temp'),
    errorLog: join(host.root, 'nginx-error.log'),
    workerProcesses: '1',
  });
  if (!reuseport) conf = conf.replace(' reuseport;', ';');
  writeFileSync(host.nginxConf, conf);
  execFileSync('nginx', ['-c', host.nginxConf, '-e', join(host.root, 'nginx-error.log')], {
    stdio: 'ignore',
  });
}

const readPid = (file: string) =>
  existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || null : null;
export const alive = (pid: number | null) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An exited daemon whose parent never reaps it stays a zombie, which kill(0) still finds.
  return !isZombie(pid);
};

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** What an operator would look at: which proxy holds the port, which containers run which image. */
export function snapshot(host: Host) {
  const containersDir = join(host.root, 'docker', 'containers');
  const containers = existsSync(containersDir)
    ? readdirSync(containersDir)
        .sort()
        .map((f) => JSON.parse(readFileSync(join(containersDir, f), 'utf8')) as Record<string, unknown>)
        .map((c) => ({ name: c.name, image: c.image, running: alive(c.pid as number | null) }))
        .sort((a, b) => String(a.name).localeCompare(String(b.name)))
    : [];
  const nginxPid = readPid(host.nginxPid);
  return {
    nginx: alive(nginxPid) ? nginxPid : null,
    mirrorNginx: alive(readPid(join(host.root, 'run', 'orders-api-mirror-nginx.pid'))),
    envoy: alive(readPid(join(host.root, 'run', 'orders-api-envoy.pid'))),
    containers,
  };
}

/** Stops every process the host started (by pid) and removes its root. */
export function destroyHost(host: Host): void {
  const pids: number[] = [];
  const run = join(host.root, 'run');
  for (const f of existsSync(run) ? readdirSync(run) : []) {
    if (f.endsWith('.pid')) pids.push(readPid(join(run, f)) ?? 0);
  }
  const containersDir = join(host.root, 'docker', 'containers');
  for (const f of existsSync(containersDir) ? readdirSync(containersDir) : []) {
    pids.push(Number(JSON.parse(readFileSync(join(containersDir, f), 'utf8')).pid) || 0);
  }
  for (const pid of pids) {
    if (alive(pid)) process.kill(pid, 'SIGTERM');
  }
  rmSync(host.root, { recursive: true, force: true });
}

export function run(
  host: Host,
  file: string,
  params: Record<string, string>,
  env: Record<string, string> = {},
): Promise<RunOutcome> {
  return runDocument(documentPath(file), params, { env: { ...host.env, ...env } });
}

export interface Seen {
  readonly status: number;
  readonly body: { version?: string; host?: string; xRealIp?: string; xForwardedFor?: string };
}

export function get(port: number, path = '/', headers: Record<string, string> = {}): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => {
        let parsed = {};
        try {
          parsed = JSON.parse(body);
        } catch {}
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export function requestsSeen(host: Host, container: string): Array<Record<string, unknown>> {
  const file = join(host.root, 'docker', `${container}.requests`);
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
}

/**
 * Failed requests per proxy hand-off (docs/hand-offs.md): wrk drives paced load at half the measured maximum rate
 * through each hand-off on loopback, nginx -> mirroring nginx -> nginx, nginx -> routing nginx -> nginx and the
 * reloads that change a share in place, through the real documents. Each hand-off gets its own wrk run of at least
 * MIN_REQUESTS requests, with the hand-off in its middle; a failure is a socket error (a connection closed or reset
 * under a request, which is what an ALB turns into a 502) or a non-2xx answer. Target: 0 of N for every row.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../local/free-port';
import { createHost, destroyHost, docker, type Host, run, startStableNginx } from '../local/loopback-host';
import { count, quick } from './quick';
import { WRK_CONNECTIONS, wrk } from './wrk';

const IMAGE = 'registry.local/orders-api';
const MAX_RATE_SECONDS = count(3, 1);
// Requests per hand-off (wrk runs long enough for this many at the paced rate), and the load before it starts.
const MIN_REQUESTS = count(12_000, 500);
const SETTLE_SECONDS = count(1, 0.3);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ports {
  readonly listen: number;
  readonly service: number;
  readonly canary: number;
  readonly admin: number;
}

/** The stable host: 1.0.0 behind the host's nginx, and the canary's 2.0.0 on its own port. */
function provision(host: Host, ports: Ports): void {
  for (const [name, port, version] of [
    ['orders-api', ports.service, '1.0.0'],
    ['orders-api-canary', ports.canary, '2.0.0'],
  ] as const) {
    docker(host, 'pull', `${IMAGE}:${version}`);
    docker(host, 'run', '-d', '--name', name, '-p', `127.0.0.1:${port}:${port}`, `${IMAGE}:${version}`);
  }
  startStableNginx(host, {
    service: 'orders-api',
    listenAddress: '127.0.0.1',
    listenPort: ports.listen,
    upstreamAddress: '127.0.0.1',
    servicePort: ports.service,
    connectTimeoutSeconds: 60,
    readTimeoutSeconds: 60,
    sendTimeoutSeconds: 60,
  });
}

interface HandOff {
  readonly name: string;
  readonly file: string;
  readonly params: Record<string, string>;
}

/** Every hand-off in order, each leaving the host as the next one expects. */
function handOffs(ports: Ports): HandOff[] {
  const proxy = {
    Service: 'orders-api',
    ReleaseId: 'bench-r1',
    ListenPort: String(ports.listen),
    ServicePort: String(ports.service),
    ProxyDriver: 'nginx',
    ConnectTimeout: '60',
    ReadTimeout: '60',
    SendTimeout: '60',
  };
  const mirror = (percent: string) => ({ ...proxy, MirrorHost: '127.0.0.1', MirrorPercent: percent });
  const routing = (percent: string) => ({
    ...proxy,
    CanaryHost: '127.0.0.1',
    CanaryPercent: percent,
    StickyCookie: 'uid',
    TesterHeader: 'X-Canary',
    TesterValue: 'always',
    VipCookie: 'tier',
    VipCookieValue: 'vip',
    VipHeader: 'x-vip',
    VipHeaderValue: 'gold',
    TagHeader: 'x-canary-tag',
    TagValue: 'canary',
  });
  return [
    { name: 'nginx -> mirroring nginx', file: 'start-mirror.yml', params: mirror('10') },
    { name: 'mirroring nginx reload (10% -> 20%)', file: 'start-mirror.yml', params: mirror('20') },
    { name: 'mirroring nginx -> nginx', file: 'stop-mirror.yml', params: proxy },
    { name: 'nginx -> routing nginx', file: 'shift-traffic.yml', params: routing('10') },
    { name: 'routing nginx reload (10% -> 25%)', file: 'shift-traffic.yml', params: routing('25') },
    { name: 'routing nginx -> nginx', file: 'stop-mirror.yml', params: proxy },
  ];
}

const message = (o: Awaited<ReturnType<typeof run>>) =>
  o.ok ? String(o.summary?.message ?? o.stderr) : o.refused.join('; ');

/** One hand-off under its own wrk run: the load settles, the document runs, the load goes on as long again. */
async function measure(host: Host, url: string, step: HandOff, load: Omit<Load, 'url'>) {
  // The paced rate comes out below its target on a busy machine: run long enough for MIN_REQUESTS anyway.
  const seconds = Math.max(2 * SETTLE_SECONDS + 1, (MIN_REQUESTS * 1.6) / load.rate);
  const paced = wrk(url, seconds, load.script, load.headers);
  await sleep(SETTLE_SECONDS * 1000);
  const t = performance.now();
  const outcome = await run(host, step.file, step.params);
  const ms = performance.now() - t;
  const result = await paced;
  return { result, ms, outcome };
}

interface Load {
  readonly url: string;
  readonly rate: number;
  readonly script: string;
  readonly headers: string[];
}

export default async function bench(): Promise<void> {
  const [listen, service, canary, admin] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const ports = { listen, service, canary, admin };
  const host = createHost('bench', admin, { CA_MIRROR_PORT: String(canary), FAKE_SERVICE_LOG: '0' });
  try {
    provision(host, ports);
    const url = `http://127.0.0.1:${listen}/orders`;
    const max = await wrk(url, MAX_RATE_SECONDS);
    // Half the maximum rate: each connection waits between requests (wrk's Lua delay hook).
    const rate = max.perSecond / 2;
    const delayMs = Math.max(1, Math.round((WRK_CONNECTIONS * 1000) / rate));
    const script = join(host.root, 'paced.lua');
    writeFileSync(script, `function delay()\n  return ${delayMs}\nend\n`);
    console.log(
      `max rate through nginx (wrk, ${WRK_CONNECTIONS} connections, ${MAX_RATE_SECONDS} s): ${max.perSecond.toFixed(0)} req/s; paced: ${rate.toFixed(0)} req/s (${delayMs} ms between a connection's requests)\n`,
    );
    console.log('| hand-off | client connections | requests | failed | operation |');
    console.log('| --- | --- | --- | --- | --- |');
    const notes: string[] = [];
    const modes = quick ? (['keep-alive'] as const) : (['keep-alive', 'new connection per request'] as const);
    for (const mode of modes) {
      const headers = mode === 'keep-alive' ? [] : ['-H', 'Connection: close'];
      for (const step of handOffs(ports)) {
        const { result, ms, outcome } = await measure(host, url, step, { rate, script, headers });
        const failed = result.socketErrors + result.non2xx;
        console.log(
          `| ${step.name} | ${mode} | ${result.requests} | ${failed} | ${ms.toFixed(0)} ms${outcome.ok && outcome.exitCode === 0 ? '' : ' (failed)'} |`,
        );
        notes.push(`${mode}, ${step.name}: ${message(outcome)}`);
      }
    }
    console.log(`\n${notes.join('\n')}`);
  } finally {
    destroyHost(host);
  }
}

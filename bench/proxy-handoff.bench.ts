/**
 * Drives load with wrk through the hand-off nginx -> mirroring nginx -> nginx on loopback, using the real
 * start-mirror / stop-mirror documents, and prints requests sent, failed and the hand-off times.
 * Target: 0 failed requests at half the measured maximum rate.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../local/free-port';
import { createHost, destroyHost, docker, run, startStableNginx } from '../local/loopback-host';
import { count } from './quick';

const IMAGE = 'registry.local/orders-api';
const CONNECTIONS = 16;
// wrk's runs and the pauses around each hand-off, in seconds: the hand-offs fall inside the paced load either way.
const MAX_RATE_SECONDS = count(3, 1);
const LOAD_SECONDS = count(8, 5);
const SETTLE_SECONDS = count(2, 0.5);
const MIRRORED_SECONDS = count(2.5, 0.5);

interface WrkResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly socketErrors: number;
  readonly non2xx: number;
}

function wrk(url: string, seconds: number, script?: string, headers: string[] = []): Promise<WrkResult> {
  const args = [
    '-t2',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    ...headers,
    ...(script ? ['-s', script] : []),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', () => {
      if (process.env.BENCH_VERBOSE) process.stderr.write(out);
      const num = (re: RegExp) => Number(out.match(re)?.[1] ?? 0);
      const errors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
      resolve({
        requests: num(/(\d+) requests in/),
        perSecond: num(/Requests\/sec:\s+([\d.]+)/),
        socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
        non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
      });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function bench(): Promise<void> {
  const [listen, service, canaryPort, admin] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const host = createHost('bench', admin, { CA_MIRROR_PORT: String(canaryPort), FAKE_SERVICE_LOG: '0' });
  try {
    docker(host, 'pull', `${IMAGE}:1.0.0`);
    docker(host, 'pull', `${IMAGE}:2.0.0`);
    docker(
      host,
      'run',
      '-d',
      '--name',
      'orders-api',
      '-p',
      `127.0.0.1:${service}:${service}`,
      `${IMAGE}:1.0.0`,
    );
    docker(
      host,
      'run',
      '-d',
      '--name',
      'orders-api-canary',
      '-p',
      `127.0.0.1:${canaryPort}:${canaryPort}`,
      `${IMAGE}:2.0.0`,
    );
    startStableNginx(host, {
      service: 'orders-api',
      listenAddress: '127.0.0.1',
      listenPort: listen,
      upstreamAddress: '127.0.0.1',
      servicePort: service,
      connectTimeoutSeconds: 60,
      readTimeoutSeconds: 60,
      sendTimeoutSeconds: 60,
    });
    const url = `http://127.0.0.1:${listen}/orders`;
    const max = await wrk(url, MAX_RATE_SECONDS);

    // Half the maximum rate: each connection waits between requests (wrk's Lua delay hook).
    const target = max.perSecond / 2;
    const delayMs = Math.max(1, Math.round((CONNECTIONS * 1000) / target));
    const script = join(host.root, 'paced.lua');
    writeFileSync(script, `function delay()\n  return ${delayMs}\nend\n`);
    const base = {
      Service: 'orders-api',
      ReleaseId: 'bench-r1',
      ListenPort: String(listen),
      ServicePort: String(service),
    };
    const proxy = {
      ...base,
      ProxyDriver: 'nginx',
      ConnectTimeout: '60',
      ReadTimeout: '60',
      SendTimeout: '60',
    };

    const message = (o: Awaited<ReturnType<typeof run>>) =>
      o.ok ? String(o.summary?.message ?? o.stderr) : o.refused.join('; ');
    console.log(
      `max rate through nginx (wrk, ${CONNECTIONS} connections, ${MAX_RATE_SECONDS} s): ${max.perSecond.toFixed(0)} req/s; paced target: ${target.toFixed(0)} req/s\n`,
    );
    console.log(
      '| client connections | paced rate | requests sent | failed | nginx -> mirror (operation) | mirror -> nginx (operation) |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    const notes: string[] = [];
    for (const mode of ['new connection per request', 'keep-alive'] as const) {
      const headers = mode === 'keep-alive' ? [] : ['-H', 'Connection: close'];
      const load = wrk(url, LOAD_SECONDS, script, headers);
      await sleep(SETTLE_SECONDS * 1000);
      let t = performance.now();
      const start = await run(host, 'start-mirror.yml', {
        ...proxy,
        MirrorHost: '127.0.0.1',
        MirrorPercent: '10',
      });
      const startMs = performance.now() - t;
      await sleep(MIRRORED_SECONDS * 1000);
      t = performance.now();
      const stop = await run(host, 'stop-mirror.yml', proxy);
      const stopMs = performance.now() - t;
      const paced = await load;
      console.log(
        `| ${mode} | ${paced.perSecond.toFixed(0)} req/s | ${paced.requests} | ${paced.socketErrors + paced.non2xx} | ${startMs.toFixed(0)} ms | ${stopMs.toFixed(0)} ms |`,
      );
      notes.push(`${mode}: start-mirror: ${message(start)}; stop-mirror: ${message(stop)}`);
    }
    console.log(`\n${notes.join('\n')}`);
  } finally {
    destroyHost(host);
  }
}

/**
 * Failed requests per promotion batch (issue 13): two loopback hosts, each its own nginx in front of its own
 * container, behind the sandbox's load balancer, which sends new requests only to the healthy members of a target
 * group (adapters/memory-target-groups.ts). wrk drives keep-alive load at half the maximum rate through the load
 * balancer; each batch gets its own wrk run of at least MIN_REQUESTS, with the batch in its middle. A drained batch
 * is what the agent does: deregister, wait out the deregistration delay, run the real promote document, register,
 * wait for healthy. The undrained rows swap a host that still gets requests, as promotion did before: they show
 * what the drain saves. A failure is a socket error or a non-2xx answer (the load balancer's 502 among them).
 */
import { writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { type MemoryTargetGroups, memoryTargetGroups } from '../adapters/memory-target-groups';
import { freePort } from '../local/free-port';
import { loadBalancer } from '../local/load-balancer';
import {
  createHost,
  destroyHost,
  type Host,
  loopbackStable,
  run,
  runService,
  startStableNginx,
} from '../local/loopback-host';
import { count } from './quick';
import { WRK_CONNECTIONS, wrk } from './wrk';

const IMAGE = 'registry.local/orders-api';
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0000000000000b1e';
const MIN_REQUESTS = count(10_000, 500);
const SETTLE_SECONDS = count(1, 0.3);
/** The target group's deregistration delay: long enough for any request in flight on loopback. */
const DRAIN_MS = 1000;

interface BenchHost {
  readonly id: string;
  readonly host: Host;
  readonly listen: number;
  readonly service: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = httpGet({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

async function makeHost(index: number): Promise<BenchHost> {
  const [listen, service, admin] = [await freePort(), await freePort(), await freePort()];
  const host = createHost(`promotion-${index}`, admin, { FAKE_SERVICE_LOG: '0' });
  runService(host, IMAGE, service, '1.0.0');
  startStableNginx(host, loopbackStable(listen, service));
  return { id: `i-0bench00000000${index}`, host, listen, service };
}

/** Asks the target groups again after each wait they name, until they settle: the agent's timers, in a loop. */
async function untilSettled(
  ask: (attempt: number) => ReturnType<MemoryTargetGroups['drain']>,
): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const report = await ask(attempt);
    if (report.settled) return;
    await sleep(Math.min(report.checkAgainInSeconds * 1000, DRAIN_MS));
  }
  throw new Error('the target group did not settle');
}

/** One host's swap from `from` to `to`, drained or not; what the promote document said. */
async function swap(groups: MemoryTargetGroups, h: BenchHost, from: string, to: string, drained: boolean) {
  if (drained) await untilSettled((attempt) => groups.drain([TG], [h.id], attempt));
  const params = {
    Service: 'orders-api',
    ReleaseId: 'bench-promotion',
    Image: IMAGE,
    ContainerPort: String(h.service),
    HealthPath: '/healthz',
    Version: to,
    PreviousVersion: from,
  };
  const outcome = await run(h.host, 'promote.yml', params);
  if (drained) await untilSettled((attempt) => groups.admit([TG], [h.id], attempt));
  return outcome.ok && outcome.exitCode === 0 ? 'promoted' : 'promote failed';
}

export default async function bench(): Promise<void> {
  const hosts = [await makeHost(1), await makeHost(2)];
  const byId = new Map(hosts.map((h) => [h.id, h]));
  const groups = memoryTargetGroups({
    registered: { [TG]: hosts.map((h) => h.id) },
    drainMs: DRAIN_MS,
    healthCheck: (_arn, id) => healthy(byId.get(id)?.listen ?? 0),
  });
  const lb = loadBalancer({
    name: 'bench-elb',
    targets: () => groups.serving(TG).map((id) => ({ host: '127.0.0.1', port: byId.get(id)?.listen ?? 0 })),
    maxRecords: 1000,
  });
  try {
    const url = `http://127.0.0.1:${await lb.start()}/orders`;
    const max = await wrk(url, count(3, 1));
    const rate = max.perSecond / 2;
    const delayMs = Math.max(1, Math.round((WRK_CONNECTIONS * 1000) / rate));
    const script = join(hosts[0]?.host.root ?? '.', 'paced.lua');
    writeFileSync(script, `function delay()\n  return ${delayMs}\nend\n`);
    console.log(
      `max rate through the load balancer (wrk, ${WRK_CONNECTIONS} keep-alive connections): ${max.perSecond.toFixed(0)} req/s; paced: ${rate.toFixed(0)} req/s\n`,
    );
    console.log('| batch | drained | requests | failed | batch took | promote |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    const batches = [
      ...hosts.map((h) => ({ h, from: '1.0.0', to: '2.0.0', drained: true })),
      ...hosts.map((h) => ({ h, from: '2.0.0', to: '3.0.0', drained: false })),
    ];
    for (const [index, b] of batches.entries()) {
      const seconds = Math.max(2 * SETTLE_SECONDS + 1, (MIN_REQUESTS * 1.6) / rate);
      const paced = wrk(url, seconds, script);
      await sleep(SETTLE_SECONDS * 1000);
      const t = performance.now();
      const said = await swap(groups, b.h, b.from, b.to, b.drained);
      const ms = performance.now() - t;
      const result = await paced;
      const failed = result.socketErrors + result.non2xx;
      console.log(
        `| ${(index % hosts.length) + 1} of ${hosts.length} (${b.h.id}, ${b.from} -> ${b.to}) | ${b.drained ? 'yes' : 'no (as before)'} | ${result.requests} | ${failed} | ${ms.toFixed(0)} ms | ${said} |`,
      );
    }
  } finally {
    await lb.stop();
    for (const h of hosts) destroyHost(h.host);
  }
}

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudWatchCanaryMetrics } from '../../adapters/cloudwatch-canary-metrics';
import { analysisConfigSchema } from '../../domain/analysis-config';
import { analysedMetrics } from '../../domain/analysis-queries';
import { type Judgement, judge } from '../../domain/judge';
import type { MetricsReading } from '../../domain/ports';
import { alarmEvaluator } from '../../local/alarm-evaluator';
import { freePort } from '../../local/free-port';
import { type LoadBalancer, type LoadBalancerRecord, loadBalancer } from '../../local/load-balancer';
import {
  createHost,
  destroyHost,
  get,
  type Host,
  loopbackStable,
  runService,
  startStableNginx,
} from '../../local/loopback-host';
import { CANARY_ALARM, SANDBOX_ALARM_THRESHOLDS } from '../../local/sandbox-config';
import { quietBuildRunning } from '../../local/sandbox-fleet';
import { sandboxAnalysisLoadBalancer, sandboxCloudWatch } from '../../local/sandbox-metrics';

/**
 * The faulty builds end to end through the canary analysis' real read path: requests through the sandbox's load
 * balancers to a stable fake service behind real nginx and to a canary container, the local GetMetricData, the
 * real CloudWatch adapter and the judge. Each request pair is one "mirrored" request, 20 a second on the load
 * balancers' clock (the demo's canary share), so a 1-s period holds 20 requests whatever the machine's speed.
 */
const IMAGE = 'registry.sandbox.local/orders-api';
const RATE = 20;
/**
 * 10 ms of service time (a -slow build 30 ms) rather than the sandbox's 4: the stable side's extra nginx hop
 * grows on a loaded machine (18 ms against 12 at a load of 10 on two cores), which would hide a 4 ms build's 8.
 */
const SERVICE = { FAKE_SERVICE_MS: '10' };
const analysis = analysisConfigSchema.parse({
  loadBalancer: sandboxAnalysisLoadBalancer('blue'),
  metrics: [
    { preset: 'requestCount' },
    { preset: 'errorRate' },
    { preset: 'latencyP50' },
    { preset: 'latencyP99' },
  ],
  minimumRequests: 200,
});
const definitions = analysedMetrics(analysis).flatMap((m) => (m.role === 'judged' ? [m.definition] : []));
const settings = {
  minimumRequests: analysis.minimumRequests,
  thresholds: analysis.thresholds,
  alpha: analysis.alpha,
};

let stable: Host;
let stablePort: number;
const hosts: Host[] = [];
const lbs: LoadBalancer[] = [];
let current: { stableLb: LoadBalancer; canaryLb: LoadBalancer } | undefined;
const cloudWatch = sandboxCloudWatch({
  stableLb: { records: () => current?.stableLb.records() ?? [] },
  canaryLb: { records: () => current?.canaryLb.records() ?? [] },
  // Every host here is on 127.0.0.1: the stable load balancer's only target is the "blue" host's nginx.
  hosts: () => [{ fleet: 'blue', address: '127.0.0.1' }],
});

beforeAll(async () => {
  const [admin, listen, service] = await Promise.all([freePort(), freePort(), freePort()]);
  stable = createHost('metrics-stable', admin, SERVICE);
  hosts.push(stable);
  runService(stable, IMAGE, service, '1.4.1');
  startStableNginx(stable, loopbackStable(listen, service));
  stablePort = listen;
  await cloudWatch.start();
}, 60_000);

afterAll(async () => {
  await cloudWatch.stop();
  await Promise.all(lbs.map((lb) => lb.stop()));
  for (const host of hosts) destroyHost(host);
});

/** A canary host running `version` behind its own load balancer (straight to the container, as the sandbox's). */
async function canaryOf(version: string): Promise<LoadBalancer> {
  const [admin, service] = await Promise.all([freePort(), freePort()]);
  const host = createHost('metrics-canary', admin, SERVICE);
  hosts.push(host);
  runService(host, IMAGE, service, version);
  return loadBalancer({
    name: 'canary-elb',
    targets: () => [{ host: '127.0.0.1', port: service }],
    now: () => clock,
    reachable: () => !quietBuildRunning([join(host.root, 'docker')]),
  });
}

let clock = Date.parse('2026-12-04T10:00:00.000Z');

/** `pairs` mirrored requests, one to each load balancer, RATE a second by the clock; then the reading of them. */
async function mirrored(
  version: string,
  pairs: number,
): Promise<{ reading: MetricsReading; records: readonly LoadBalancerRecord[] }> {
  const stableLb = loadBalancer({
    name: 'service-elb',
    targets: () => [{ host: '127.0.0.1', port: stablePort }],
    now: () => clock,
  });
  const canaryLb = await canaryOf(version);
  lbs.push(stableLb, canaryLb);
  const [stableAt, canaryAt] = [await stableLb.start(), await canaryLb.start()];
  current = { stableLb, canaryLb };
  // A whole number of periods from a period's start.
  clock = Math.ceil(clock / 60_000) * 60_000 + 60_000;
  const from = clock;
  for (let i = 0; i < pairs; i++) {
    await Promise.all([get(stableAt), get(canaryAt).catch(() => undefined)]);
    clock += 1000 / RATE;
  }
  const span = {
    from: new Date(from).toISOString(),
    to: new Date(Math.ceil(clock / 1000) * 1000).toISOString(),
    periodSeconds: 1,
    baseline: 'sameTime' as const,
  };
  const reading = await cloudWatchCanaryMetrics(cloudWatch.client()).read(analysedMetrics(analysis), span);
  return { reading, records: canaryLb.records() };
}

function judged(version: string, reading: MetricsReading): Judgement {
  const judgement = judge({ metrics: definitions, ...reading, settings });
  const errors = reading.data.errorRate;
  const medians = (['latencyP50', 'latencyP99'] as const).map((name) => {
    const data = reading.data[name];
    if (data?.kind !== 'distribution') return `${name} none`;
    const median = (values: readonly number[]) =>
      [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;
    return `${name} ${(median(data.canary) * 1000).toFixed(1)} ms vs ${(median(data.stable) * 1000).toFixed(1)} ms (${data.canary.length} periods)`;
  });
  console.log(
    `${version}: ${judgement.verdict} (${judgement.reason}); ${reading.canaryRequests} canary requests; errors ${JSON.stringify(errors && 'canary' in errors ? errors : {})}; ${medians.join('; ')}`,
  );
  return judgement;
}

const classification = (judgement: Judgement, name: string) =>
  judgement.metrics.find((m) => m.name === name)?.classification;

/** The sandbox's canary 5XX alarm over the canary load balancer's responses, evaluated after every 1-s period. */
function alarmFired(records: readonly LoadBalancerRecord[]): boolean {
  const alarm = alarmEvaluator(
    {
      alarmName: CANARY_ALARM,
      periodSeconds: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: SANDBOX_ALARM_THRESHOLDS[CANARY_ALARM] ?? 0,
      account: '000000000000',
      region: 'local',
    },
    () => undefined,
    () => 'id',
  );
  let fired = false;
  for (const record of records) {
    fired ||= alarm.evaluate(record.atMs) === 'ALARM';
    alarm.record(record.status, record.atMs);
  }
  return fired || alarm.evaluate((records.at(-1)?.atMs ?? 0) + 2_000) === 'ALARM';
}

describe('faulty builds through the load balancers, the local GetMetricData and the judge', () => {
  it('passes a healthy canary', async () => {
    const { reading, records } = await mirrored('1.4.2', 300);
    const judgement = judged('1.4.2', reading);
    expect(reading.canaryRequests).toBe(300);
    expect(judgement.verdict).toBe('pass');
    expect(alarmFired(records)).toBe(false);
  }, 60_000);

  it('fails the latency of a -slow canary, which answers correctly', async () => {
    const { reading } = await mirrored('1.4.2-slow', 300);
    const judgement = judged('1.4.2-slow', reading);
    expect(classification(judgement, 'errorRate')).toBe('pass');
    expect(classification(judgement, 'latencyP50')).toBe('high');
    expect(judgement.verdict).toBe('fail');
  }, 60_000);

  it('fails the error rate of a -flaky canary (one 500 in 50), which its 5XX alarm leaves alone', async () => {
    const { reading, records } = await mirrored('1.4.2-flaky', 300);
    const judgement = judged('1.4.2-flaky', reading);
    expect(reading.data.errorRate).toMatchObject({
      canary: { events: 6, total: 300 },
      stable: { events: 0 },
    });
    expect(classification(judgement, 'errorRate')).toBe('high');
    expect(judgement.verdict).toBe('fail');
    expect(alarmFired(records)).toBe(false);
  }, 60_000);

  it('has no data for a -quiet canary, which the mirrored traffic never reaches', async () => {
    const { reading, records } = await mirrored('1.4.2-quiet', 60);
    const judgement = judged('1.4.2-quiet', reading);
    expect(records).toEqual([]);
    expect(reading.canaryRequests).toBe(0);
    expect(judgement.verdict).toBe('noData');
  }, 60_000);

  it('fires the canary 5XX alarm for a -bad canary, and fails its error rate', async () => {
    const { reading, records } = await mirrored('1.4.2-bad', 200);
    const judgement = judged('1.4.2-bad', reading);
    expect(classification(judgement, 'errorRate')).toBe('high');
    expect(alarmFired(records)).toBe(true);
  }, 60_000);
});

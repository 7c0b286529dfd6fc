import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Release } from '../../domain/types';
import { type Sandbox, startSandbox } from '../../local/sandbox';
import { BLUE_GREEN } from '../../local/sandbox-config';
import { backgroundTraffic } from '../../local/traffic';

/**
 * Blue/green end to end in the sandbox: the engine, the event bus, DynamoDB Local, the real deploy-idle document on
 * the idle colour's nginx hosts, the service's load balancer following its listener, and each colour's 5XX alarm
 * fed by the responses users get, with live traffic throughout.
 */
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
});
const REQUESTER = { kind: 'person', id: 'UANA0SANDBOX' } as const;
const APPROVER = { kind: 'person', id: 'UBEN0SANDBOX' } as const;
const ended = (r: Release) =>
  r.state === 'succeeded' || r.state === 'rolledBack' || r.state === 'rollbackFailed';

let dir: string;
let sandbox: Sandbox;
let traffic: ReturnType<typeof backgroundTraffic>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ca-sandbox-blue-green-'));
  sandbox = await startSandbox({ dir, speedUp: 20 });
  traffic = backgroundTraffic(() => sandbox.fleet.stableLb.port(), 40);
  traffic.start();
}, 60_000);

afterAll(async () => {
  await traffic?.stop();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function servingVersion(): Promise<string | null> {
  return (await fetch(`${sandbox.stableUrl}/orders/42`)).headers.get('x-service-version');
}

const liveTargetGroup = () => sandbox.listeners.forwardsTo(BLUE_GREEN.listenerArn);

async function releaseBlueGreen(toVersion: string): Promise<Release> {
  const started = await sandbox.service.start({
    service: 'orders-api',
    toVersion,
    requestedBy: REQUESTER,
    strategy: { kind: 'blueGreen' },
  });
  if (!started.ok) throw new Error(started.message);
  const waiting = await sandbox.waitFor(
    started.release.id,
    (r) => r.state === 'awaitingApproval' || ended(r) || r.state === 'rollingBack',
  );
  if (waiting.state === 'awaitingApproval')
    await sandbox.service.apply(waiting.id, { kind: 'approved', actor: APPROVER });
  return sandbox.waitFor(started.release.id, ended, 60_000);
}

describe('a blue/green release in the sandbox', () => {
  it('deploys green while blue serves, switches every user at once, and no request fails on the way', async () => {
    const before = traffic.summary();
    const done = await releaseBlueGreen('1.4.2');
    const after = traffic.summary();
    console.log(
      `blue/green to green: ${done.state}; users saw ${JSON.stringify(Object.fromEntries(after.byStatus))}`,
    );
    expect(done.state).toBe('succeeded');
    expect(liveTargetGroup()).toBe(BLUE_GREEN.green.targetGroupArn);
    expect(await servingVersion()).toBe('1.4.2');
    // No proxy changes hands on any host: only the load balancer's target changes, between two requests.
    for (const [status, count] of after.byStatus)
      if (status !== 200) expect(count, `status ${status}`).toBe(before.byStatus.get(status) ?? 0);
    expect(after.sent).toBeGreaterThan(before.sent);
  }, 60_000);

  it('switches back to green as soon as blue fails live requests, and says blue still holds the rejected version', async () => {
    sandbox.fleet.markFaulty('1.4.3');
    const before = traffic.summary();
    const done = await releaseBlueGreen('1.4.3');
    const failed = (traffic.summary().byStatus.get(500) ?? 0) - (before.byStatus.get(500) ?? 0);
    const firedAt = sandbox.alarmFiredAt() ?? Number.NaN;
    console.log(
      `faulty blue: ${done.state} (${done.rollback?.reason.kind}); alarm to switched back in ${Date.parse(done.updatedAt) - firedAt} ms; users saw ${failed} 500s`,
    );
    expect(done.state).toBe('rolledBack');
    expect(done.rollback?.reason).toMatchObject({ kind: 'alarm', alarmName: BLUE_GREEN.blue.alarm });
    expect(liveTargetGroup()).toBe(BLUE_GREEN.green.targetGroupArn);
    expect(await servingVersion()).toBe('1.4.2');
    expect(done.warnings.join(' ')).toContain('blue is out of traffic and may still run 1.4.3');
  }, 60_000);

  it('runs a canary release on whichever colour is live: green is the stable fleet now', async () => {
    const started = await sandbox.service.start({
      service: 'orders-api',
      toVersion: '1.4.5',
      requestedBy: REQUESTER,
      strategy: { kind: 'steps', steps: [50] },
    });
    if (!started.ok) throw new Error(started.message);
    expect(
      started.release.plan.find((s) => s.kind === 'hostOperation' && s.operation === 'promote'),
    ).toMatchObject({
      fleet: 'stable',
      targets: { 'canary-agent:fleet': 'orders-api-green' },
    });
    const waiting = await sandbox.waitFor(
      started.release.id,
      (r) => r.state === 'awaitingApproval' || ended(r),
    );
    if (waiting.state === 'awaitingApproval')
      await sandbox.service.apply(waiting.id, { kind: 'approved', actor: APPROVER });
    const done = await sandbox.waitFor(started.release.id, ended, 60_000);
    expect(done.state).toBe('succeeded');
    expect(await servingVersion()).toBe('1.4.5');
    expect(sandbox.fleet.stableOnOwnNginx()).toBe(true);
  }, 60_000);
});

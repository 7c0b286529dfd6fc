import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../domain/types';
import { type Sandbox, startSandbox } from '../../local/sandbox';
import type { SandboxChain } from '../../local/sandbox-chain';
import { groupInSlack } from '../../local/sandbox-person';
import { backgroundTraffic } from '../../local/traffic';
import { askChain } from './chain-paths';

/**
 * A group release of the whole chain (front -> orders-api -> payments) in the sandbox, as people run it in Slack:
 * `/canary start group checkout …`, Promote on the card. Real nginx routing proxies on every member's hosts, the
 * demo services answering with every version they called, users on the front all along.
 */
const PEOPLE = { requester: 'UANA0SANDBOX', approver: 'UBEN0SANDBOX' };
const TAG = { 'x-canary-tag': 'canary' };
const USERS = Array.from({ length: 100 }, (_, i) => `user-${i}`);

let dir: string | undefined;
let sandbox: Sandbox | undefined;
let traffic: ReturnType<typeof backgroundTraffic> | undefined;
const chain = (): SandboxChain => {
  if (sandbox?.chain === undefined) throw new Error('the chain sandbox is not up');
  return sandbox.chain;
};
const up = (): Sandbox => {
  if (sandbox === undefined) throw new Error('the sandbox is not up');
  return sandbox;
};

/** The path through the chain with these versions, from `service` down. */
const path = (versions: readonly string[], from = 0) =>
  chain()
    .members.map((m, i) => `${m.service}@${versions[i]}`)
    .slice(from);

/** Each user's path from the front, asked 20 at a time; every one of them answered 200. */
async function pathsOf(users: readonly string[]): Promise<string[][]> {
  const paths: string[][] = [];
  for (let i = 0; i < users.length; i += 20) {
    const batch = users.slice(i, i + 20).map((uid) => askChain(chain().urls.front, { cookie: `uid=${uid}` }));
    for (const answer of await Promise.all(batch)) {
      expect(answer.status).toBe(200);
      paths.push(answer.hops);
    }
  }
  return paths;
}

/** What `run` gave, and the requests the users on the front got answered with each status meanwhile. */
async function withStatuses<T>(run: () => Promise<T>): Promise<[T, Record<string, number>]> {
  const before = new Map(traffic?.summary().byStatus ?? []);
  const result = await run();
  const after = traffic?.summary().byStatus ?? new Map<number, number>();
  const statuses = Object.fromEntries(
    [...after].map(([status, n]) => [status, n - (before.get(status) ?? 0)]).filter(([, n]) => n !== 0),
  );
  return [result, statuses];
}

/** A group release of the checkout chain as ana types it (and ben approves), the users' statuses meanwhile. */
const releaseGroup = (versions: string, atApproval?: () => Promise<void>) =>
  withStatuses(() => groupInSlack(up(), PEOPLE, 'front', `start group checkout ${versions}`, atApproval));

const membersOf = (release: Release) => release.group?.members ?? [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ca-sandbox-group-'));
  sandbox = await startSandbox({ dir, speedUp: 20, chain: true });
  const front = chain().member('front');
  traffic = backgroundTraffic(() => front.fleet.stableLb.port(), 40);
  traffic.start();
}, 120_000);

afterAll(async () => {
  await traffic?.stop();
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a group release of the chain in the sandbox', () => {
  it('keeps each user on one whole path, counts the path at every member, and promotes them all', async () => {
    const stable = ['1.9.0', '1.4.1', '2.0.0'];
    const next = ['1.9.1', '1.4.2', '2.0.1'];
    let seen: { onNew: number; onStable: number } | undefined;
    const [{ held, done }, statuses] = await releaseGroup(
      'front=1.9.1 orders-api=1.4.2 payments=2.0.1 strategy=steps:50',
      async () => {
        const paths = (await pathsOf(USERS)).map((p) => p.join());
        const onNew = paths.filter((p) => p === path(next).join()).length;
        const onStable = paths.filter((p) => p === path(stable).join()).length;
        seen = { onNew, onStable };
        // Straight to orders-api: untagged stays on stable all the way down, tagged stays on the new path.
        expect((await askChain(chain().urls['orders-api'])).hops).toEqual(path(stable, 1));
        expect((await askChain(chain().urls['orders-api'], TAG)).hops).toEqual(path(next, 1));
      },
    );
    console.log(`group at 50%: ${JSON.stringify(seen)} of ${USERS.length} users; users' statuses`, statuses);

    // Every user was on one whole path, and both paths had users (50% by a hash of the cookie).
    expect((seen?.onNew ?? 0) + (seen?.onStable ?? 0)).toBe(USERS.length);
    expect(seen?.onNew).toBeGreaterThan(20);
    expect(seen?.onStable).toBeGreaterThan(20);
    // The path counts the card showed at the approval: the entry chose, the members below got only tagged ones.
    const [front, orders, payments] = membersOf(held).map((m) => m.path);
    expect(front?.tagged).toBe(0);
    expect(front?.untagged).toBeGreaterThan(0);
    for (const below of [orders, payments]) {
      expect(below?.untagged).toBe(0);
      expect(below?.tagged).toBeGreaterThan(0);
    }

    expect(done.state).toBe('succeeded');
    expect(membersOf(done).map((m) => [m.service, m.recordedVersion])).toEqual([
      ['front', '1.9.1'],
      ['orders-api', '1.4.2'],
      ['payments', '2.0.1'],
    ]);
    expect((await askChain(chain().urls.front)).hops).toEqual(path(next));
    expect(chain().members.every((m) => m.fleet.stableOnOwnNginx())).toBe(true);
    // No user's request failed through the hand-offs, the windows and the promotions.
    expect(Object.keys(statuses)).toEqual(['200']);
  }, 240_000);

  it('rolls the whole group back when its downstream member is faulty, every member on its old version', async () => {
    const before = ['1.9.1', '1.4.2', '2.0.1'];
    chain().member('payments').fleet.markFaulty('2.0.2-bad');
    const [{ held, done }, statuses] = await releaseGroup('front=1.9.2 orders-api=1.4.3 payments=2.0.2-bad');
    console.log("faulty payments: users' statuses during the group release", statuses);

    // Never approved: the canary alarms ended it in its first window.
    expect(held.state).toBe('rolledBack');
    expect(done.rollback?.reason.kind).toBe('alarm');
    expect(done.exposure).toEqual([]);
    expect((await askChain(chain().urls.front)).hops).toEqual(path(before));
    // A tester, who rides every canary while a release runs, is on stable too: no routing is left behind.
    expect((await askChain(chain().urls.front, { 'x-canary': 'always' })).hops).toEqual(path(before));
    expect(chain().members.every((m) => m.fleet.stableOnOwnNginx())).toBe(true);
  }, 240_000);
});

import type { Release } from '../domain/types';
import type { Sandbox } from './sandbox';
import type { SandboxChain } from './sandbox-chain';
import { groupInSlack } from './sandbox-person';
import type { backgroundTraffic } from './traffic';

/**
 * The demo's group releases (issue 20): the checkout chain, front -> orders-api -> payments, released as one with
 * `/canary start group checkout …`, once healthy and once with a faulty payments that must roll the whole group
 * back. Users on the front all along; each release prints the path counts its card shows.
 */
export interface GroupDemo {
  readonly sandbox: Sandbox;
  readonly people: { readonly requester: string; readonly approver: string };
  /** Users on the front service, the chain's entry. */
  readonly frontTraffic: ReturnType<typeof backgroundTraffic>;
  readonly printTimeline: (release: Release) => void;
  readonly checks: [string, boolean][];
}

/** What each member of the chain answers a request with, down the chain: `front@1.9.1 > orders-api@1.4.8 > …`. */
async function pathFromFront(chain: SandboxChain, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${chain.urls.front}/orders/42`, { headers });
  type Answer = { service?: string; version?: string; calls?: Answer };
  const hops: string[] = [];
  for (let a: Answer | undefined = (await response.json()) as Answer; a; a = a.calls)
    hops.push(`${a.service}@${a.version}`);
  return hops.join(' > ');
}

/** Requests the front's users got answered with each status while `run` ran. */
async function frontStatuses<T>(demo: GroupDemo, run: () => Promise<T>): Promise<[T, Map<number, number>]> {
  const before = new Map(demo.frontTraffic.summary().byStatus);
  const result = await run();
  const during = new Map(
    [...demo.frontTraffic.summary().byStatus]
      .map(([status, n]): [number, number] => [status, n - (before.get(status) ?? 0)])
      .filter(([, n]) => n > 0),
  );
  return [result, during];
}

function printPaths(release: Release): void {
  for (const m of release.group?.members ?? []) {
    const path = m.path
      ? `${m.path.tagged} tagged, ${m.path.untagged} untagged to its canary`
      : 'no path counts';
    console.log(`   ${m.service} ${m.fromVersion} -> ${m.toVersion}: ${path}`);
  }
}

export async function groupDemo(demo: GroupDemo, step: number): Promise<void> {
  const { sandbox, checks } = demo;
  const chain = sandbox.chain;
  if (chain === undefined) throw new Error('the group demo needs the sandbox with its chain');
  // Half of the front's users at first: about 90 requests a (sped-up) window reach each canary, well above the
  // analysis minimum of 20 (10% would leave about 18, too few to judge on a slow machine).
  const run = (command: string) =>
    frontStatuses(demo, () => groupInSlack(sandbox, demo.people, 'front', command));
  const onlyOk = (statuses: Map<number, number>) => [...statuses.keys()].every((s) => s >= 200 && s < 300);

  console.log(
    `\n${step}) the checkout group: front 1.9.0 -> 1.9.1, orders-api -> 1.4.8, payments 2.0.0 -> 2.0.1`,
  );
  const [healthy, healthyStatuses] = await run(
    'start group checkout front=1.9.1 orders-api=1.4.8 payments=2.0.1 strategy=steps:50,100',
  );
  demo.printTimeline(healthy.done);
  printPaths(healthy.held);
  console.log(`   Users on the front: statuses ${JSON.stringify(Object.fromEntries(healthyStatuses))}`);
  const downstream = (healthy.held.group?.members ?? []).slice(1);
  checks.push([
    'the group release succeeded, every member on its new version',
    healthy.done.state === 'succeeded' &&
      (await pathFromFront(chain)) === 'front@1.9.1 > orders-api@1.4.8 > payments@2.0.1',
  ]);
  checks.push([
    'the members below the entry got tagged requests only (untagged: 0)',
    downstream.length === 2 && downstream.every((m) => m.path && m.path.tagged > 0 && m.path.untagged === 0),
  ]);
  checks.push([
    'every user on the front was answered 2xx through the group release',
    onlyOk(healthyStatuses),
  ]);

  console.log(
    `\n${step + 1}) the checkout group again, its downstream member faulty: payments 2.0.1 -> 2.0.2-bad answers 500`,
  );
  chain.member('payments').fleet.markFaulty('2.0.2-bad');
  const [faulty, faultyStatuses] = await run(
    'start group checkout front=1.9.2 orders-api=1.4.9 payments=2.0.2-bad strategy=steps:50,100',
  );
  demo.printTimeline(faulty.done);
  printPaths(faulty.done);
  // The users the entry coloured meet the faulty payments until its alarm rolls the group back.
  console.log(`   Users on the front: statuses ${JSON.stringify(Object.fromEntries(faultyStatuses))}`);
  checks.push([
    'the faulty group rolled back on its own, every member on its old version, no routing left',
    faulty.done.state === 'rolledBack' &&
      faulty.done.rollback?.reason.kind === 'alarm' &&
      (await pathFromFront(chain, { 'x-canary': 'always' })) ===
        'front@1.9.1 > orders-api@1.4.8 > payments@2.0.1' &&
      chain.members.every((m) => m.fleet.stableOnOwnNginx()),
  ]);
}

/**
 * `npm run demo`: six releases, a revert and two group releases in the sandbox, headless, driven as a person does
 * in Slack (signed `/canary start` commands and clicks on the release card, through the real Slack function). A
 * healthy canary must end `succeeded` with the new version serving; a faulty one (its canary answers live requests
 * with 500) must fire the canary alarm and roll back on its own, with the old version still serving through nginx;
 * a blue/green release must switch the load balancer to the other colour; a slow canary (healthy, three times
 * slower) must be rolled back by the canary analysis while no alarm fires; a quiet one (its canary gets no traffic)
 * must be held, never passed, until a person rolls it back; a weighted-steps release must succeed, and `/canary
 * revert` must put the version before it back. Then the checkout group (front, orders-api, payments) released as
 * one must succeed, and again with a faulty payments must roll the whole group back (local/demo-group.ts).
 * Promotions and reverts drain each batch out of the load balancer first. Prints each timeline and the background
 * traffic during it: every request to orders-api must be answered 2xx. Exits non-zero otherwise.
 */
// First, so the quiet defaults hold before any module builds a logger or an SDK client.
import './quiet-defaults';
import { rmSync } from 'node:fs';
import type { Release } from '../domain/types';
import { groupDemo } from './demo-group';
import { type Sandbox, sandboxDir, startSandbox } from './sandbox';
import { BLUE_GREEN, CANARY_ALARM, INITIAL_VERSION } from './sandbox-config';
import { confirmStop, ended, hasButton, revertInSlack } from './sandbox-person';
import { stopOnSignal } from './stop-on-signal';
import { formatEntry, timelineNotifier } from './timeline';
import { backgroundTraffic } from './traffic';

const REQUESTER = 'UANA0SANDBOX';
const APPROVER = 'UBEN0SANDBOX';

async function servingVersion(sandbox: Sandbox): Promise<string | null> {
  const response = await fetch(`${sandbox.stableUrl}/orders/42`);
  return response.headers.get('x-service-version');
}

/** Runs one release the way a person does in Slack: `/canary start`, then Promote on the card if asked to. */
async function release(sandbox: Sandbox, toVersion: string, options = ''): Promise<Release> {
  const { reply } = await sandbox.slack.command(REQUESTER, `start orders-api ${toVersion} ${options}`.trim());
  const releaseId = await sandbox.store.activeReleaseId('orders-api');
  if (releaseId === null) throw new Error(`/canary start was refused: ${reply}`);
  const waiting = await sandbox.waitFor(releaseId, (r) => WAITS.includes(r.state) || ended(r));
  // Promote a release that waits for approval; roll back one held without a verdict (it proved nothing).
  const click = { awaitingApproval: 'canary_promote', inconclusive: 'canary_rollback' }[
    waiting.state as string
  ];
  if (click !== undefined) {
    held.set(releaseId, waiting);
    const card = await sandbox.slack.waitForMessage((m) => hasButton(m.blocks, click, releaseId));
    await sandbox.slack.click(APPROVER, card.id, click, releaseId, `release:${releaseId}`);
    if (click === 'canary_rollback') await confirmStop(sandbox, APPROVER, 'rollback', releaseId);
  }
  const done = await sandbox.waitFor(releaseId, ended, 120_000);
  // A Promote that ends the release is saved by the Slack function before its effects (the notices) have run.
  await sandbox.settled();
  return done;
}

const WAITS: readonly Release['state'][] = ['awaitingApproval', 'inconclusive', 'rollingBack'];
/** Each release as it was when it waited for a person. */
const held = new Map<string, Release>();

/** The release's timeline, then the background traffic the load balancer answered since the last one. */
function printTimeline(release: Release): void {
  const entries = timeline.entries(release.id);
  for (const entry of entries.filter((e) => e.severity !== 'progress'))
    console.log(formatEntry(entry, entries[0]?.atMs ?? 0));
  const now = traffic?.summary();
  if (now === undefined) return;
  const byStatus = new Map(
    [...now.byStatus]
      .map(([status, n]): [number, number] => [status, n - (counted.byStatus.get(status) ?? 0)])
      .filter(([, n]) => n > 0),
  );
  // Counted as answered (a request that got no answer counts as status 0), so the figures add up.
  const during = { sent: [...byStatus.values()].reduce((a, b) => a + b, 0), byStatus };
  counted = now;
  perRelease.push(during);
  console.log(`   ${trafficLine(during)}`);
}

/** Requests sent, and how many were answered with each status (0: no answer). */
type TrafficSummary = { readonly sent: number; readonly byStatus: ReadonlyMap<number, number> };
let counted: TrafficSummary = { sent: 0, byStatus: new Map() };
const perRelease: TrafficSummary[] = [];
const trafficLine = (s: TrafficSummary) =>
  `Background traffic: ${s.sent} requests, statuses ${JSON.stringify(Object.fromEntries(s.byStatus))}`;
const all2xx = (s: TrafficSummary) =>
  [...s.byStatus].every(([status, n]) => n === 0 || (status >= 200 && status < 300));

const dir = sandboxDir();
const timeline = timelineNotifier();
const starting = startSandbox({ dir, speedUp: 20, notifiers: [timeline], chain: true });
let traffic: ReturnType<typeof backgroundTraffic> | undefined;
let frontTraffic: ReturnType<typeof backgroundTraffic> | undefined;
let stopped: Promise<void> | undefined;
/** Once, whether the demo ends or is interrupted: the sandbox cannot be stopped twice. */
const stopAll = () =>
  (stopped ??= (async () => {
    const started = await starting.catch(() => undefined);
    await traffic?.stop();
    await frontTraffic?.stop();
    await started?.stop();
  })());
// An interrupted demo proved nothing: it exits non-zero, and keeps its directory like a failed one.
stopOnSignal(stopAll, 1);
const sandbox = await starting;
traffic = backgroundTraffic(() => sandbox.fleet.stableLb.port(), 40);
traffic.start();
// The chain's entry: its users only meet a new version in the group releases (8 and 9).
const front = sandbox.chain?.member('front');
frontTraffic = front ? backgroundTraffic(() => front.fleet.stableLb.port(), 20) : undefined;
frontTraffic?.start();
const checks: [string, boolean][] = [];
try {
  console.log(
    `Sandbox up in ${dir}: stable ELB ${sandbox.stableUrl}, serving ${await servingVersion(sandbox)}\n`,
  );

  console.log(`1) orders-api ${INITIAL_VERSION} -> 1.4.2, a healthy canary`);
  const healthy = await release(sandbox, '1.4.2');
  printTimeline(healthy);
  checks.push(['the healthy release succeeded', healthy.state === 'succeeded']);
  checks.push(['1.4.2 serves after it', (await servingVersion(sandbox)) === '1.4.2']);

  console.log('\n2) orders-api 1.4.2 -> 1.4.3, a canary that answers live requests with 500');
  sandbox.fleet.markFaulty('1.4.3');
  const faulty = await release(sandbox, '1.4.3');
  printTimeline(faulty);
  checks.push([
    'the faulty release rolled back on the canary alarm',
    faulty.state === 'rolledBack' && faulty.rollback?.reason.kind === 'alarm',
  ]);
  checks.push(['1.4.2 still serves', (await servingVersion(sandbox)) === '1.4.2']);
  checks.push(['every stable host serves through its own nginx again', sandbox.fleet.stableOnOwnNginx()]);

  console.log(
    '\n3) orders-api 1.4.2 -> 1.4.4, blue/green: deploy the idle green fleet, switch the listener to it',
  );
  const blueGreen = await release(sandbox, '1.4.4', 'strategy=blue-green');
  printTimeline(blueGreen);
  checks.push([
    'the blue/green release succeeded with the listener on green',
    blueGreen.state === 'succeeded' &&
      sandbox.listeners.forwardsTo(BLUE_GREEN.listenerArn) === BLUE_GREEN.green.targetGroupArn,
  ]);
  checks.push(['1.4.4 serves from green after it', (await servingVersion(sandbox)) === '1.4.4']);

  console.log('\n4) orders-api 1.4.4 -> 1.4.5-slow, a healthy canary three times slower than stable');
  // The canary's own alarm: the stable fleet's may fire on the promotion before (issue 13, the undrained batches).
  const alarmBefore = sandbox.alarmFiredAt(CANARY_ALARM);
  const slow = await release(sandbox, '1.4.5-slow');
  printTimeline(slow);
  checks.push([
    "the slow release rolled back on the canary analysis, with the canary's alarm quiet",
    slow.state === 'rolledBack' &&
      slow.rollback?.reason.kind === 'analysisFailed' &&
      sandbox.alarmFiredAt(CANARY_ALARM) === alarmBefore,
  ]);

  console.log('\n5) orders-api 1.4.4 -> 1.4.6-quiet, a canary that gets no mirrored traffic');
  const quiet = await release(sandbox, '1.4.6-quiet');
  printTimeline(quiet);
  checks.push([
    'the quiet release was held without a verdict, never passed, and rolled back by a person',
    held.get(quiet.id)?.state === 'inconclusive' &&
      quiet.state === 'rolledBack' &&
      quiet.rollback?.reason.kind === 'rolledBackByPerson',
  ]);
  checks.push(['1.4.4 still serves', (await servingVersion(sandbox)) === '1.4.4']);

  console.log('\n6) orders-api 1.4.4 -> 1.4.7, weighted steps: 10% of users, then all of them');
  const steps = await release(sandbox, '1.4.7', 'strategy=steps:10,100');
  printTimeline(steps);
  checks.push(['the steps release succeeded', steps.state === 'succeeded']);

  console.log('\n7) /canary revert orders-api: 1.4.4 back on the stable fleet, batch by batch');
  const reverted = await revertInSlack(sandbox, APPROVER, steps);
  printTimeline(reverted);
  checks.push([
    'the revert put 1.4.4 back',
    reverted.state === 'succeeded' && (await servingVersion(sandbox)) === '1.4.4',
  ]);

  if (frontTraffic === undefined) throw new Error('the sandbox started without its chain');
  const people = { requester: REQUESTER, approver: APPROVER };
  await groupDemo({ sandbox, people, frontTraffic, printTimeline, checks }, 8);
} finally {
  await stopAll();
}
const summary = traffic.summary();
console.log(`\nIn all: ${trafficLine(summary)}`);
checks.push([
  'every background request was answered 2xx, during each release and between them',
  perRelease.length === 9 && all2xx(summary),
]);
for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
const passed = checks.length === 17 && checks.every(([, ok]) => ok);
if (passed) rmSync(dir, { recursive: true, force: true });
console.log(
  `\n${checks.filter(([, ok]) => ok).length} passed, ${checks.filter(([, ok]) => !ok).length} failed`,
);
process.exit(passed ? 0 : 1);

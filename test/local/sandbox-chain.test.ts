import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostOperations } from '../../domain/plan-operations';
import type { HostOperationName, ReleaseState } from '../../domain/types';
import { pathLogTail } from '../../local/path-log';
import { type Sandbox, startSandbox } from '../../local/sandbox';
import type { ChainMember, SandboxChain } from '../../local/sandbox-chain';
import type { ChainService } from '../../local/sandbox-chain-config';
import { askChain } from './chain-paths';

/**
 * The chain's path on real nginx: front -> orders-api -> payments, each on its own simulated hosts. Each canary is
 * deployed and each routing proxy put in place by the real deployCanary and shiftTraffic documents, run on the
 * hosts the steps' EC2 tags select (as Run Command would): the entry routes half of its users, the members
 * downstream none but what arrives tagged. The demo services answer with every version they called down the chain.
 */
const NEW: Readonly<Record<ChainService, string>> = {
  front: '2.0.0',
  'orders-api': '1.4.2',
  payments: '2.1.0',
};
const ENTRY_PERCENT = 50;
const USERS = 200;
/** The entry's colouring rules (routing.colouring): the mobile app on the new path, a bot kept on stable. */
const ENTRY_COLOURING = [
  { header: { name: 'app', value: 'mobile' }, route: 'new' },
  { header: { name: 'app', value: 'bot' }, route: 'stable' },
] as const;

let dir: string | undefined;
let sandbox: Sandbox | undefined;
const chain = (): SandboxChain => {
  if (sandbox?.chain === undefined) throw new Error('the chain sandbox is not up');
  return sandbox.chain;
};

/**
 * One step of a release of `member`, as the engine would send it from `config` (the member's own unless given),
 * run on every host its tags select.
 */
async function runStep(
  member: ChainMember,
  state: ReleaseState,
  operation: HostOperationName,
  overrides: Readonly<Record<string, string>> = {},
  config = member.config,
): Promise<void> {
  const step = hostOperations({
    releaseId: `chain-path-${member.service}`,
    config,
    strategy: { kind: 'steps', steps: [ENTRY_PERCENT], bakeSeconds: 0 },
    fromVersion: member.initialVersion,
    toVersion: NEW[member.service],
    windowSeconds: 180,
    ...(member.config.blueGreen ? { liveColour: 'blue' as const } : {}),
  })(state, operation, 'rollback', overrides);
  const hosts = chain().hostsMatching(step.targets);
  expect(hosts.map((h) => h.id).sort()).toEqual(
    (operation === 'deployCanary'
      ? member.fleet.hosts().filter((h) => h.fleet === 'canary')
      : member.fleet.liveHosts()
    )
      .map((h) => h.id)
      .sort(),
  );
  for (const host of hosts) {
    const outcome = await chain().run(host, step.operation, step.parameters);
    if (!outcome.ok || outcome.exitCode !== 0)
      throw new Error(`${operation} on ${member.service} ${host.id}: ${JSON.stringify(outcome)}`);
  }
}

/** The front's answer to a user: its status and the path it names (none when nginx itself answered). */
const askFront = (headers: Record<string, string>) => askChain(chain().urls.front, headers);

const pathOf = (versions: (member: ChainMember) => string) =>
  chain().members.map((m) => `${m.service}@${versions(m)}`);
const newPath = () => pathOf((m) => NEW[m.service]);
const stablePath = () => pathOf((m) => m.initialVersion);

/** Each user's answer from the front (status and path through the chain), asked in batches of 20 at once. */
async function askUsers(
  users: readonly string[],
): Promise<Map<string, Awaited<ReturnType<typeof askFront>>>> {
  const answers = new Map<string, Awaited<ReturnType<typeof askFront>>>();
  for (let i = 0; i < users.length; i += 20) {
    const batch = users.slice(i, i + 20);
    const asked = await Promise.all(
      batch.map(async (uid) => [uid, await askFront({ cookie: `uid=${uid}` })] as const),
    );
    for (const [uid, answer] of asked) answers.set(uid, answer);
  }
  return answers;
}

/** Each user's path through the chain; every one of them answered. */
async function pathsOf(users: readonly string[]): Promise<Map<string, string[]>> {
  const answers = await askUsers(users);
  for (const [user, answer] of answers) expect(answer.status, user).toBe(200);
  return new Map([...answers].map(([user, answer]) => [user, answer.hops]));
}

/** What each member's routing proxies sent to its canary: tagged upstream, or chosen by the proxy itself. */
const pathCounts = (member: ChainMember) =>
  pathLogTail(() =>
    member.fleet.liveHosts().map((h) => join(h.root, 'state', member.service, 'routing-canary.log')),
  ).poll();

const canaryAnswers = (member: ChainMember, status: number) =>
  member.fleet.canaryLb.counts().get(status) ?? 0;

beforeAll(async () => {
  const started = Date.now();
  dir = mkdtempSync(join(tmpdir(), 'ca-sandbox-chain-'));
  sandbox = await startSandbox({ dir, speedUp: 20, chain: true });
  const upAt = Date.now();
  for (const member of chain().members) await runStep(member, 'deployingCanary', 'deployCanary');
  // Downstream first, as a group release routes: no member is coloured for before the one below it routes tags.
  for (const member of [...chain().members].reverse()) {
    const entry = member.service === 'front';
    const routing = { ...member.config.routing, colouring: entry ? [...ENTRY_COLOURING] : [] };
    const percent = String(entry ? ENTRY_PERCENT : 0);
    const config = { ...member.config, routing };
    await runStep(member, 'shiftingTraffic', 'shiftTraffic', { CanaryPercent: percent }, config);
  }
  console.log(`chain sandbox up in ${upAt - started} ms, canaries and routing in ${Date.now() - upAt} ms`);
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the chain of three services on real nginx', () => {
  it('renders each routing nginx: the entry with its share, the members below at 0% with tagged requests to their canary', () => {
    for (const member of chain().members) {
      const percent = member.service === 'front' ? `${ENTRY_PERCENT}% 1;` : '100% 0;';
      for (const host of member.fleet.liveHosts()) {
        const conf = readFileSync(join(host.root, 'state', member.service, 'routing-nginx.conf'), 'utf8');
        expect(conf, `${member.service} ${host.id}`).toContain(percent);
        expect(conf).toMatch(/map \$http_x_canary_tag \$canary_agent_tagged \{\s+"~\^canary\$" 1;/);
        expect(conf).toContain('proxy_set_header x-canary-tag $canary_agent_tag;');
        // Its own canary load balancer: a member's tagged requests never skip to another service's canary.
        expect(conf).toContain(`server 127.0.0.1:${member.fleet.canaryLb.port()} max_fails=`);
        // Only the entry colours by its rules; the members below follow the tag.
        expect(conf.includes('$http_app'), `${member.service} reads the app header`).toBe(
          member.service === 'front',
        );
      }
    }
  });

  it('gives each service its own hosts, addresses and stored configuration, its container told whom to call', () => {
    const [front, orders, payments] = chain().members;
    expect([front?.service, orders?.service, payments?.service]).toEqual(['front', 'orders-api', 'payments']);
    const subnets = chain().members.map((m) => new Set(m.fleet.hosts().map((h) => h.address.split('.')[2])));
    expect(subnets.map((s) => [...s])).toEqual([['1'], ['0'], ['2']]);
    expect(front?.config.container.environment.DOWNSTREAM_URL).toBe(chain().urls['orders-api']);
    expect(orders?.config.container.environment.DOWNSTREAM_URL).toBe(chain().urls.payments);
    expect(payments?.config.container.environment.DOWNSTREAM_URL).toBeUndefined();
  });

  it('keeps a tester on the new versions at every hop', async () => {
    expect(await askFront({ 'x-canary': 'always' })).toEqual({ status: 200, hops: newPath() });
  });

  it(`sends each of ${USERS} users all the way on the new path or all the way on stable, never mixed, and keeps them there`, async () => {
    const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
    const canaryBefore = canaryAnswers(chain().member('payments'), 200);
    const first = await pathsOf(users);
    const onNew = users.filter((u) => first.get(u)?.join() === newPath().join());
    const onStable = users.filter((u) => first.get(u)?.join() === stablePath().join());
    console.log(`${USERS} users: ${onNew.length} on the new path, ${onStable.length} on stable`);
    expect(onNew.length + onStable.length).toBe(USERS);
    // 50% by a hash of the cookie: about 100 each; these bounds fail only on a broken split.
    expect(onNew.length).toBeGreaterThan(USERS * 0.3);
    expect(onStable.length).toBeGreaterThan(USERS * 0.3);
    // Only coloured requests reached payments' canary, each once.
    expect(canaryAnswers(chain().member('payments'), 200) - canaryBefore).toBe(onNew.length);
    const again = await pathsOf(users);
    for (const user of users) expect(again.get(user), user).toEqual(first.get(user));
    // The path metrics agree: the entry chose every request it sent on; the members below got only tagged ones.
    const [front, orders, payments] = chain().members.map(pathCounts);
    expect(front).toMatchObject({ tagged: 0 });
    expect(front?.untagged).toBeGreaterThanOrEqual(2 * onNew.length);
    for (const below of [orders, payments]) expect(below).toEqual({ tagged: front?.untagged, untagged: 0 });
  }, 60_000);

  it('follows the entry’s header rules: the mobile app all the way on the new path, a bot all the way on stable', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const paths = await pathsOf(users);
    const onStable = users.find((u) => paths.get(u)?.join() === stablePath().join());
    const onNew = users.find((u) => paths.get(u)?.join() === newPath().join());
    if (onStable === undefined || onNew === undefined)
      throw new Error('40 users, and none on one of the paths');
    expect(await askFront({ cookie: `uid=${onStable}`, app: 'mobile' })).toEqual({
      status: 200,
      hops: newPath(),
    });
    expect(await askFront({ cookie: `uid=${onNew}`, app: 'bot' })).toEqual({
      status: 200,
      hops: stablePath(),
    });
    // Without the header, each keeps the path the share gave them.
    expect((await askFront({ cookie: `uid=${onNew}`, app: 'web' })).hops).toEqual(newPath());
  });

  it('fails a coloured request with 5XX at every hop above a faulty payments canary, which each canary alarm sees, while stable users are untouched', async () => {
    const [front, orders, payments] = chain().members as [ChainMember, ChainMember, ChainMember];
    payments.fleet.markFaulty(NEW.payments);
    const failed = await Promise.all(Array.from({ length: 5 }, () => askFront({ 'x-canary': 'always' })));
    expect(failed.map((a) => a.status)).toEqual([502, 502, 502, 502, 502]);
    expect(canaryAnswers(payments, 500)).toBeGreaterThan(0);
    expect(canaryAnswers(orders, 502)).toBeGreaterThan(0);
    expect(canaryAnswers(front, 502)).toBeGreaterThan(0);
    const up = sandbox as Sandbox;
    await vi.waitFor(() => expect(up.alarmState(payments.canaryAlarm)).toBe('ALARM'), { timeout: 5_000 });
    await vi.waitFor(() => expect(up.alarmState(front.canaryAlarm)).toBe('ALARM'), { timeout: 5_000 });
    const answers = [...(await askUsers(Array.from({ length: 40 }, (_, i) => `user-${i}`))).values()];
    const served = answers.filter((a) => a.status === 200);
    expect(served.length).toBeGreaterThan(0);
    for (const answer of served) expect(answer.hops).toEqual(stablePath());
    // The coloured users fail: the tag stays on a request their entry's proxy fails over to stable.
    for (const answer of answers) expect([200, 502]).toContain(answer.status);
  }, 60_000);
});

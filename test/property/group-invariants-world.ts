import fc from 'fast-check';
import { expect } from 'vitest';
import { isTerminal } from '../../domain/policies';
import type { CommandOutcome, Release, ReleaseEvent } from '../../domain/types';
import { APPROVER, REQUESTER, STRANGER } from '../../local/fixture-service-config';
import { CHAIN, groupHarness, NEXT } from '../app/group-fixtures';
import { notBackwards } from './release-invariants-parts';

/*
 * Group releases of 2 to 4 members under a random world: SSM reports for any member's command (late, twice, out of
 * order, failed), any member's alarm, timers, people, the sweeper, and deliveries racing each other. After every
 * step the invariants hold; at the end no member is half-released.
 */

const people = [APPROVER, REQUESTER, STRANGER] as const;
const hosts = ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2'] as const;
const outcomes: CommandOutcome[] = ['success', 'success', 'success', 'success', 'failed', 'timedOut'];

export type GroupAction =
  | { kind: 'host'; command: number; host: number; status: CommandOutcome }
  | { kind: 'command'; command: number; status: CommandOutcome }
  | { kind: 'alarm'; member: number; canary: boolean }
  | { kind: 'timer' }
  | { kind: 'person'; event: 'approved' | 'rejected' | 'abortRequested' | 'rollbackRetried'; who: number }
  | { kind: 'sweep'; seconds: number }
  | { kind: 'redeliver'; index: number }
  | { kind: 'advance' }
  | { kind: 'together'; first: GroupAction; second: GroupAction };

const single: fc.Arbitrary<GroupAction> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('host' as const),
      command: fc.nat(6),
      host: fc.nat(1),
      status: fc.constantFrom(...outcomes),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('command' as const),
      command: fc.nat(6),
      status: fc.constantFrom(...outcomes),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('alarm' as const), member: fc.nat(3), canary: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'timer' } as const) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('person' as const),
      event: fc.constantFrom('approved', 'rejected', 'abortRequested', 'rollbackRetried'),
      who: fc.nat(2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('sweep' as const), seconds: fc.integer({ min: 1, max: 2000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), index: fc.nat(60) }) },
  { weight: 14, arbitrary: fc.constant({ kind: 'advance' } as const) },
);

export const groupAction: fc.Arbitrary<GroupAction> = fc.oneof(
  { weight: 8, arbitrary: single },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('together' as const), first: single, second: single }),
  },
);

export const groupConfigs = fc.record({
  size: fc.integer({ min: 2, max: 4 }),
  steps: fc
    .uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 3 })
    .map((a) => a.sort((x, y) => x - y)),
  required: fc.boolean(),
  bake: fc.boolean(),
  downstreamFirst: fc.boolean(),
  keepRouting: fc.constantFrom(false, false, true),
  /** A failure injected when the plan reaches step `atStep`: its command fails, a member alarms, or a person aborts. */
  fault: fc.option(
    fc.record({
      atStep: fc.nat(24),
      kind: fc.constantFrom(
        'commandFailed' as const,
        'canaryAlarm' as const,
        'stableAlarm' as const,
        'abort' as const,
      ),
      member: fc.nat(3),
    }),
    { nil: undefined },
  ),
});
export type GroupModelConfig = typeof groupConfigs extends fc.Arbitrary<infer T> ? T : never;

/** What each member's stable fleet runs, as the commands that reported back made it: `mixed` mid-promotion. */
type FleetVersion = 'from' | 'to' | 'mixed';

export const groupStatesReached = new Map<string, number>();

export async function checkGroup(seed: { config: GroupModelConfig; actions: GroupAction[] }) {
  await new Promise((resolve) => setImmediate(resolve));
  const { config } = seed;
  const { h, services } = groupHarness(config.size, (c) => ({
    ...c,
    approvals: { ...c.approvals, required: config.required },
    promotion: { ...c.promotion, bakeSeconds: config.bake ? 300 : 0 },
    ...(c.service === 'front'
      ? {
          groups: [
            {
              name: 'checkout',
              downstream: CHAIN.slice(1, config.size) as unknown as string[],
              promotionOrder: config.downstreamFirst
                ? [...CHAIN.slice(0, config.size)].reverse()
                : [...CHAIN.slice(0, config.size)],
              keepRouting: config.keepRouting,
              versions: {},
            },
          ],
        }
      : {}),
  }));
  const started = await h.service.startGroup({
    group: 'checkout',
    versions: services.map((service) => ({ service, version: NEXT[service] ?? '' })),
    requestedBy: { kind: 'person', id: REQUESTER },
    steps: config.steps,
  });
  if (!started.ok) throw new Error(started.message);
  const releaseId = started.release.id;
  const fleets = new Map<string, FleetVersion>(services.map((s) => [s, 'from']));
  const delivered: { event: ReleaseEvent; eventId: string }[] = [];
  let previous: Release | undefined;
  let deliveries = 0;

  /** The fleet model follows the commands as SSM says they ended: a promotion that did not succeed leaves a mix. */
  const ended = new Set<string>();
  function followFleet(commandId: string, status: CommandOutcome) {
    // A command ends once on its hosts: a repeated or late report of its end changes nothing there.
    if (ended.has(commandId)) return;
    ended.add(commandId);
    const sent = h.commands.find((c) => c.commandId === commandId);
    const member = sent?.operation.parameters.Service;
    if (!sent || !member) return;
    const op = sent.operation.operation;
    if (op === 'promote') fleets.set(member, status === 'success' ? 'to' : 'mixed');
    if (op === 'restoreStable' && status === 'success') fleets.set(member, 'from');
  }

  async function deliver(event: ReleaseEvent, eventId = `evt-${++deliveries}`) {
    delivered.push({ event, eventId });
    await h.service.apply(releaseId, event, eventId);
  }

  async function perform(a: GroupAction): Promise<void> {
    const current = await h.load(releaseId);
    switch (a.kind) {
      case 'host':
      case 'command': {
        const sent = h.commands;
        const command = sent[sent.length - 1 - (a.command % Math.max(sent.length, 1))];
        if (!command) return;
        if (a.kind === 'command') {
          // A command's end is what its hosts did; the model takes a success as every host done.
          followFleet(command.commandId, a.status);
          return deliver({ kind: 'commandFinished', commandId: command.commandId, status: a.status });
        }
        return deliver({
          kind: 'hostCommandFinished',
          commandId: command.commandId,
          hostId: hosts[a.host] ?? hosts[0],
          status: a.status,
        });
      }
      case 'alarm': {
        const member = services[a.member % services.length] ?? 'front';
        const alarmName = a.canary ? `${member}-canary-5xx` : `${member}-stable-health`;
        h.setAlarm(alarmName, 'ALARM');
        await deliver({ kind: 'alarmChanged', alarmName, state: 'ALARM', reason: 'model', at: h.now() });
        const after = await h.load(releaseId);
        if (
          current.trafficSince &&
          !isTerminal(current.state) &&
          !current.rollback &&
          unsettledWork(current)
        ) {
          // Invariant: any member's watched alarm, once traffic flows, rolls the whole group back.
          expect(after.rollback ?? (isTerminal(after.state) ? {} : undefined)).toBeDefined();
        }
        return;
      }
      case 'timer': {
        const timer = [...h.timers.entries()].find(([, t]) => t.releaseId === releaseId);
        if (!timer) return;
        h.timers.delete(timer[0]);
        h.advanceTo(timer[1].at);
        return deliver({ kind: 'timerElapsed', timerId: timer[0] });
      }
      case 'person':
        return deliver({
          kind: a.event,
          actor: { kind: 'person', id: people[a.who] ?? STRANGER },
        } as ReleaseEvent);
      case 'sweep':
        h.advance(a.seconds);
        await h.service.sweep();
        return;
      case 'redeliver': {
        const old = delivered[a.index % Math.max(delivered.length, 1)];
        if (old) await h.service.apply(releaseId, old.event, old.eventId);
        return;
      }
      case 'advance':
        return advance(current);
      case 'together':
        await Promise.all([perform(a.first), perform(a.second)]);
        return;
    }
  }

  async function advance(current: Release): Promise<void> {
    const run = current.run;
    if (!run || isTerminal(current.state)) return;
    if (run.kind === 'hostOperation' && run.commandId) {
      for (const hostId of hosts)
        await deliver({ kind: 'hostCommandFinished', commandId: run.commandId, hostId, status: 'success' });
      followFleet(run.commandId, 'success');
      return deliver({ kind: 'commandFinished', commandId: run.commandId, status: 'success' });
    }
    if (current.state === 'verifying' || current.state === 'baking') return perform({ kind: 'timer' });
    if (current.state === 'awaitingApproval') return perform({ kind: 'person', event: 'approved', who: 0 });
  }

  let faulted = false;
  /** Injects the configured failure once, when the plan first stands at its step. */
  async function injectFault(release: Release): Promise<void> {
    const fault = config.fault;
    if (!fault || faulted || release.rollback || isTerminal(release.state) || release.cursor !== fault.atStep)
      return;
    faulted = true;
    const member = services[fault.member % services.length] ?? 'front';
    const run = release.run;
    if (fault.kind === 'commandFailed' && run?.kind === 'hostOperation' && run.commandId) {
      followFleet(run.commandId, 'failed');
      return deliver({ kind: 'commandFinished', commandId: run.commandId, status: 'failed' });
    }
    if (fault.kind === 'abort')
      return deliver({ kind: 'abortRequested', actor: { kind: 'person', id: REQUESTER } });
    const alarmName = fault.kind === 'canaryAlarm' ? `${member}-canary-5xx` : `${member}-stable-health`;
    h.setAlarm(alarmName, 'ALARM');
    return deliver({ kind: 'alarmChanged', alarmName, state: 'ALARM', reason: 'injected', at: h.now() });
  }

  for (const a of [...seed.actions, ...Array.from({ length: 80 }, () => ({ kind: 'advance' }) as const)]) {
    await perform(a);
    await injectFault(await h.load(releaseId));
    const release = await h.load(releaseId);
    if (previous) expect(notBackwards(previous, release)).toBe(true);
    if (previous && isTerminal(previous.state)) expect(release).toEqual(previous);
    previous = release;
    for (const service of services) {
      // Every member's lock is the group's while it runs, and free once it ended.
      const holder = await h.store.activeReleaseId(service);
      expect(holder).toBe(isTerminal(release.state) ? null : releaseId);
    }
    for (const approval of release.approvals) expect(release.policy.approvers).toContain(approval.by);
  }
  const end = await h.load(releaseId);
  groupStatesReached.set(end.state, (groupStatesReached.get(end.state) ?? 0) + 1);
  if (isTerminal(end.state)) checkNoHalfRelease(end);

  /** No member half-released: each fleet whole on one version, which the registry names and the release says. */
  function checkNoHalfRelease(release: Release) {
    for (const member of release.group?.members ?? []) {
      const runsNew = release.state === 'succeeded' || member.settled === true;
      expect(fleets.get(member.service), `${member.service}'s fleet`).toBe(runsNew ? 'to' : 'from');
      expect(h.versions.get(member.service), `${member.service} in the registry`).toBe(
        runsNew ? member.toVersion : member.fromVersion,
      );
    }
    if (!release.group?.keepRouting || release.state === 'rolledBack')
      expect(release.exposure.filter((e) => e.startsWith('stableProxied'))).toEqual([]);
    if (release.state === 'rolledBack') expect(release.exposure).toEqual([]);
  }
}

/** Before every member settled, an alarm still has something to roll back. */
function unsettledWork(release: Release): boolean {
  return (release.group?.members ?? []).some((m) => !m.settled);
}

import { expect } from 'vitest';
import { stackEventOf } from '../../domain/canary-stack';
import { isTerminal } from '../../domain/policies';
import type { CanaryStackReport } from '../../domain/ports';
import type { Release, ReleaseEvent } from '../../domain/types';
import {
  APPROVER,
  BLUE_GREEN,
  blueGreenConfig,
  REQUESTER,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import {
  type Action,
  alarms,
  hosts,
  listenerTargets,
  type ModelConfig,
  people,
  STABLE_TARGET_GROUP,
} from './release-invariants-model';
import { canaryOf, notBackwards, STACK_OUTPUTS } from './release-invariants-parts';
import { queueWorld } from './release-invariants-queue';

/* Runs one generated sequence against the in-memory world and checks every invariant after every step. */

export const statesReached = new Map<string, number>();

export async function check(seed: { config: ModelConfig; actions: Action[] }) {
  // The in-memory world never leaves the microtask queue; yield once per run so the test worker can still talk to
  // vitest (a worker silent for 60 s fails the whole run with "Timeout calling onTaskUpdate").
  await new Promise((resolve) => setImmediate(resolve));
  const configOf = seed.config.blueGreen ? blueGreenConfig : serviceConfig;
  const { fleets: canaryFleet, ...canary } = canaryOf(seed.config);
  const config = configOf({
    approvals: {
      required: seed.config.required,
      fourEyes: seed.config.fourEyes,
      users: [APPROVER, REQUESTER],
    },
    ...canary,
    hooks:
      seed.config.hooks === 'none'
        ? []
        : (['beforeTraffic', 'afterStep', 'afterPromotion'] as const).map((at) => ({
            name: at.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
            at,
            lambda: 'orders-check',
            timeoutSeconds: 20,
          })),
    steps: { approveEachStep: seed.config.approveEachStep },
    promotion: { batchSize: '50%', bakeSeconds: seed.config.bake ? 300 : 0 },
    ...(seed.config.blueGreen
      ? {}
      : {
          fleets: {
            stable: {
              tags: { 'canary-agent:fleet': 'orders-api-stable' },
              ...(seed.config.drained ? { targetGroupArns: [STABLE_TARGET_GROUP] } : {}),
            },
            ...canaryFleet,
          },
        }),
  });
  const h = harness({
    configs: [config],
    hookAnswers:
      seed.config.hooks === 'fail' ? { 'after-step': { passed: false, output: 'probe failed' } } : {},
    listeners: { [BLUE_GREEN.listenerArn]: BLUE_GREEN.blue.targetGroupArn },
    targetGroups: { [STABLE_TARGET_GROUP]: hosts },
  });
  const queue = queueWorld(
    h,
    seed.config.blueGreen
      ? { kind: 'blueGreen' }
      : seed.config.steps
        ? { kind: 'steps', steps: seed.config.steps, mirrorFirst: seed.config.mirrorFirst }
        : undefined,
  );
  /** Set once a person pointed the listener by hand: from then on where it points is theirs, not the agent's. */
  let listenerMovedByHand = false;
  const delivered: { releaseId: string; event: ReleaseEvent; eventId: string }[] = [];
  const seen = new Map<string, Release>();
  const reached = new Set<string>();
  let releaseId: string | undefined;
  let deliveries = 0;

  async function deliver(event: ReleaseEvent, eventId = `evt-${++deliveries}`) {
    if (!releaseId) return;
    delivered.push({ releaseId, event, eventId });
    await h.service.apply(releaseId, event, eventId);
  }

  async function perform(a: Action, concurrent = false): Promise<void> {
    const current = releaseId ? await h.load(releaseId) : undefined;
    switch (a.kind) {
      case 'start':
      case 'queue': {
        const who = a.kind === 'queue' ? (people[a.who] ?? STRANGER) : REQUESTER;
        releaseId = (await queue.start(who, () => listenerMovedByHand)) ?? releaseId;
        return;
      }
      case 'cancel':
        return queue.cancel(people[a.who] ?? STRANGER);
      case 'freeze':
        return queue.freeze(a.on);
      case 'host':
      case 'command': {
        const sent = h.commands.filter((c) => c.releaseId === releaseId);
        const command = sent[sent.length - 1 - (a.command % Math.max(sent.length, 1))];
        if (!command) return;
        const event: ReleaseEvent =
          a.kind === 'host'
            ? {
                kind: 'hostCommandFinished',
                commandId: command.commandId,
                hostId: hosts[a.host] ?? hosts[0],
                status: a.status,
              }
            : { kind: 'commandFinished', commandId: command.commandId, status: a.status };
        return deliver(event);
      }
      case 'alarm': {
        const at = new Date(Date.parse(h.now()) + a.skew * 1000).toISOString();
        const alarmName = alarms[a.alarm] ?? alarms[0];
        // CloudWatch holds the state an event reports; a window's check reads it (INSUFFICIENT_DATA included).
        h.setAlarm(alarmName, a.state, at);
        await deliver({ kind: 'alarmChanged', alarmName, state: a.state, reason: 'model', at });
        const after = releaseId ? await h.load(releaseId) : undefined;
        const watched = current?.policy.watchedAlarms.includes(alarmName) ?? false;
        const known = current?.alarms[alarmName];
        // Concurrently, a newer observation may have been recorded first; then ours is rightly ignored as late.
        const latest = concurrent ? after?.alarms[alarmName]?.at === at : !known || !(at < known.at);
        if (
          current &&
          after &&
          watched &&
          latest &&
          a.state === 'ALARM' &&
          current.trafficSince &&
          !isTerminal(current.state)
        ) {
          // Invariant: an ALARM after the canary took traffic starts a rollback from any non-terminal state.
          expect(after.rollback ?? (isTerminal(after.state) ? {} : undefined)).toBeDefined();
        }
        return;
      }
      case 'timer': {
        const timer = [...h.timers.entries()].find(([, t]) => t.releaseId === releaseId);
        if (!timer) return;
        if (a.early && h.now() < timer[1].at) {
          await deliver({ kind: 'timerElapsed', timerId: timer[0] });
          // Invariant: a timer before its window is over changes nothing (alone: a concurrent event may).
          if (!concurrent) expect((await h.load(timer[1].releaseId)).version).toBe(current?.version);
          return;
        }
        h.timers.delete(timer[0]);
        h.advanceTo(timer[1].at);
        return deliver({ kind: 'timerElapsed', timerId: timer[0] });
      }
      case 'person':
        return deliver({
          kind: a.event,
          actor: { kind: 'person', id: people[a.who] ?? STRANGER },
        } as ReleaseEvent);
      case 'stack':
        if (current?.run?.kind === 'canaryStack') return settleStack(current, a.ready);
        return deliver(
          a.ready
            ? { kind: 'canaryStackReady', actor: { kind: 'pipeline', id: 'ci' } }
            : { kind: 'canaryStackFailed', actor: { kind: 'pipeline', id: 'ci' }, reason: 'stack failed' },
        );
      case 'throttleListener':
        h.failListenerCalls(a.calls);
        return;
      case 'pointListener':
        listenerMovedByHand = true;
        h.listeners.pointAt(BLUE_GREEN.listenerArn, listenerTargets[a.target] ?? listenerTargets[0]);
        return;
      case 'sweep':
        h.advance(a.seconds);
        await h.service.sweep();
        return;
      case 'redeliver': {
        const old = delivered[a.index % Math.max(delivered.length, 1)];
        if (old) await h.service.apply(old.releaseId, old.event, old.eventId);
        return;
      }
      case 'advance':
        return advance(current);
      case 'together':
        await Promise.all([perform(a.first, true), perform(a.second, true)]);
        return;
    }
  }

  /** CloudFormation settles the stack the release is creating or deleting: done, or failed. */
  async function settleStack(current: Release | undefined, ready: boolean): Promise<void> {
    const run = current?.run;
    if (!releaseId || run?.kind !== 'canaryStack') return;
    const { stackName, action } = run.step;
    const report: CanaryStackReport =
      action === 'create'
        ? ready
          ? { status: 'created', outputs: STACK_OUTPUTS }
          : { status: 'createFailed', reason: 'CanaryGroup: 0 SUCCESS signals' }
        : ready
          ? { status: 'deleted' }
          : { status: 'deleteFailed', reason: 'CanaryTargetGroup: in use' };
    h.stacks.settle(stackName, report);
    const eventId = `evt-${++deliveries}`;
    const event = stackEventOf(stackName, report);
    if (event) delivered.push({ releaseId, event, eventId });
    await h.service.canaryStackChanged(stackName, report, eventId);
  }

  /** What the world does next when all goes well, so that sequences reach the deep states too. */
  async function advance(current: Release | undefined): Promise<void> {
    const run = current?.run;
    if (!current || !run || isTerminal(current.state)) return;
    if (run.kind === 'hostOperation' && run.commandId) {
      for (const hostId of hosts)
        await deliver({ kind: 'hostCommandFinished', commandId: run.commandId, hostId, status: 'success' });
      return deliver({ kind: 'commandFinished', commandId: run.commandId, status: 'success' });
    }
    if (current.state === 'verifying') return perform({ kind: 'timer', early: false });
    if (current.state === 'awaitingApproval') return perform({ kind: 'person', event: 'approved', who: 0 });
    if (current.state === 'awaitingCanaryStack' || run.kind === 'canaryStack') {
      return perform({ kind: 'stack', ready: true });
    }
    // A listener switch that failed (throttled) waits in the outbox for the sweeper.
    if (run.kind === 'switchListener') return perform({ kind: 'sweep', seconds: 61 });
  }

  for (const a of seed.actions) {
    await perform(a);
    // The release the world drives next: a queued start that began once the one before it ended.
    releaseId = (await h.store.activeReleaseId('orders-api')) ?? releaseId;
    await queue.settled();
    await assertInvariants();
  }
  // Every release of the run counts, the ones that went before a queued start among them.
  for (const release of seen.values()) {
    reached.add(release.state);
    for (const entry of await h.store.history(release.id)) reached.add(entry.to);
  }
  for (const state of reached) statesReached.set(state, (statesReached.get(state) ?? 0) + 1);

  async function assertInvariants() {
    const active = await h.store.activeReleases();
    expect(active.filter((r) => r.service === 'orders-api').length).toBeLessThanOrEqual(1);
    const releases = await h.store.recentReleases('orders-api', 100);
    await queue.check(releases);
    for (const release of releases) {
      const previous = seen.get(release.id);
      if (previous) {
        if (isTerminal(previous.state)) expect(release).toEqual(previous);
        expect(notBackwards(previous, release)).toBe(true);
        expect(release.version).toBeGreaterThanOrEqual(previous.version);
      }
      seen.set(release.id, release);
      if (isTerminal(release.state)) expect(release.exposure).not.toContain('stableProxied');
      if (release.state === 'rolledBack') expect(release.exposure).toEqual([]);
      const { strategy } = release;
      const latest = release.id === releaseId;
      if (strategy.kind === 'blueGreen' && latest && isTerminal(release.state) && !listenerMovedByHand) {
        // Whatever happened, users end on the old colour after a rollback and on the new one after success.
        const colour = release.state === 'succeeded' ? strategy.to : strategy.from;
        expect(h.listeners.forwardsTo(BLUE_GREEN.listenerArn)).toBe(BLUE_GREEN[colour].targetGroupArn);
      }
      for (const approval of release.approvals) {
        expect(release.policy.approvers).toContain(approval.by);
        if (release.policy.fourEyes) expect(approval.by).not.toBe(release.requestedBy.id);
      }
      const history = await h.store.history(release.id);
      expect(history).toHaveLength(release.version);
      expect(history.at(-1)?.to).toBe(release.state);
      if (release.state === 'rollbackFailed') {
        // Entering rollbackFailed is announced as critical, never in silence.
        const loud = h.notices.filter(
          (n) => n.release.id === release.id && n.release.state === 'rollbackFailed',
        );
        expect(loud.some((n) => n.notice.severity === 'critical')).toBe(true);
      }
    }
  }
}

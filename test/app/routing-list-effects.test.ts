import { describe, expect, it } from 'vitest';
import { memoryReleaseStore } from '../../adapters/memory-release-store';
import { memoryRoutingLists } from '../../adapters/memory-routing-lists';
import { fleetWithRoutingLists, routingListEffects } from '../../app/routing-list-effects';
import type { FleetOperator } from '../../domain/ports';
import type { RoutingListHosts } from '../../domain/routing-list-ports';
import type { Effect } from '../../domain/types';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

type RunHostOperation = Extract<Effect, { kind: 'runHostOperation' }>;

/** A fleet that records what it is asked to run. */
function recordingFleet() {
  const runs: RunHostOperation[] = [];
  const fleet: FleetOperator = {
    run: async (_releaseId, operation) => {
      runs.push(operation);
      return { commandId: `cmd-${runs.length}` };
    },
    cancel: async () => {},
    output: async () => undefined,
  };
  return { fleet, runs };
}

function recordingHosts() {
  const applied: Parameters<RoutingListHosts['apply']>[0][] = [];
  const hosts: RoutingListHosts = {
    apply: async (request) => {
      applied.push(request);
      return { commandId: `apply-${applied.length}` };
    },
  };
  return { hosts, applied };
}

async function routingStepsRelease() {
  const store = memoryReleaseStore();
  const h = harness({ store });
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: { kind: 'person', id: REQUESTER },
    strategy: { kind: 'steps', steps: [10, 100] },
  });
  if (!started.ok) throw new Error(started.message);
  await h.finishCommand('deployCanary');
  return { h, store, releaseId: started.release.id };
}

describe('each shift of traffic', () => {
  it('carries the lists as stored when it is sent, and every other operation goes as it was', async () => {
    const { h } = await routingStepsRelease();
    const shift = h.lastCommand('shiftTraffic').operation;
    const lists = memoryRoutingLists({ 'orders-api': { vips: ['u-1', '10.0.0.0/8'] } });
    const { fleet, runs } = recordingFleet();
    const withLists = fleetWithRoutingLists(fleet, lists);

    await withLists.run('r1', shift);
    await withLists.run('r1', h.lastCommand('deployCanary').operation);

    expect(shift.parameters).toMatchObject({ VipList: '', VipListVersion: '0' });
    expect(runs[0]?.parameters).toMatchObject({
      CanaryPercent: '10',
      VipList: 'u-1,10.0.0.0/8',
      VipListVersion: '1',
      TesterList: '',
      TesterListVersion: '0',
    });
    expect(runs[1]).toEqual(h.lastCommand('deployCanary').operation);
  });
});

describe('a change of a live list, in the effects function', () => {
  const change = { service: 'orders-api', list: 'vips', action: 'add', entry: 'u-7', by: APPROVER } as const;

  it('writes the list, then sends both lists to the stable fleet of the release that routes users', async () => {
    const { store, releaseId } = await routingStepsRelease();
    const lists = memoryRoutingLists({ 'orders-api': { testers: ['qa-1'] } });
    const { hosts, applied } = recordingHosts();

    const outcome = await routingListEffects({ lists, hosts, store }).apply(change);

    expect(outcome).toEqual({
      ok: true,
      update: { ok: true, changed: true, entries: ['u-7'] },
      sent: { releaseId, commandId: 'apply-1' },
    });
    expect(lists.notes()).toEqual([`orders-api vips: ${APPROVER} added u-7`]);
    expect(applied).toEqual([
      expect.objectContaining({
        releaseId,
        targets: { 'canary-agent:fleet': 'orders-api-stable' },
        parameters: expect.objectContaining({ VipList: 'u-7', VipListVersion: '1', TesterList: 'qa-1' }),
      }),
    ]);
    // Run again (Lambda retries an invocation that failed after the write): the hosts are sent the lists again.
    await routingListEffects({ lists, hosts, store }).apply(change);
    expect(applied).toHaveLength(2);
  });

  it('writes the list and sends nothing when no steps release routes users', async () => {
    const { hosts, applied } = recordingHosts();
    const lists = memoryRoutingLists();
    const outcome = await routingListEffects({ lists, hosts, store: memoryReleaseStore() }).apply(change);
    expect(outcome).toMatchObject({ ok: true, sent: null });
    expect((await lists.read('orders-api')).vips.entries).toEqual(['u-7']);
    expect(applied).toEqual([]);
  });

  it('refuses a change that is not one, whatever handed it on', async () => {
    const { hosts } = recordingHosts();
    const lists = memoryRoutingLists();
    const effects = routingListEffects({ lists, hosts, store: memoryReleaseStore() });
    expect(await effects.apply({ ...change, entry: 'u 7' })).toMatchObject({
      ok: false,
      reason: 'bad-change',
    });
    expect(await effects.apply({ ...change, service: '../x' })).toMatchObject({
      ok: false,
      reason: 'bad-change',
    });
    expect(lists.notes()).toEqual([]);
  });
});

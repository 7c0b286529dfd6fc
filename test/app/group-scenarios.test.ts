import { describe, expect, it } from 'vitest';
import { APPROVER, SECOND_APPROVER } from '../../local/fixture-service-config';
import {
  approver,
  CURRENT,
  groupHarness,
  type Harness,
  memberConfig,
  NEXT,
  registry,
  requester,
  sent,
  startGroupOf,
  stateOf,
} from './group-fixtures';

/** Deploys every canary and puts every routing proxy in place, downstream first, then the entry's share. */
async function throughRouting(h: Harness, members: number) {
  for (let i = 0; i < members; i++) await h.finishCommand('deployCanary');
  for (let i = 0; i < members; i++) await h.finishCommand('shiftTraffic');
}

describe('a group release (full-link)', () => {
  it('deploys canaries and routing downstream first, judges once, promotes member by member, and cleans up', async () => {
    const { h, services } = groupHarness(3, (c) => ({
      ...c,
      promotion: { ...c.promotion, bakeSeconds: 300 },
    }));
    const id = await startGroupOf(h, services);
    await throughRouting(h, 3);
    await h.elapseWindow(id);
    await h.finishCommand('shiftTraffic');
    await h.elapseWindow(id);
    expect(await stateOf(h, id)).toBe('awaitingApproval');
    await h.service.apply(id, { kind: 'approved', actor: approver });
    for (let i = 0; i < 3; i++) {
      await h.finishCommand('promote');
      await h.elapseWindow(id); // each member's bake
    }
    for (let i = 0; i < 3; i++) await h.finishCommand('stopMirror');
    for (let i = 0; i < 3; i++) await h.finishCommand('removeCanary');

    expect(await stateOf(h, id)).toBe('succeeded');
    expect(sent(h)).toEqual([
      'deployCanary payments',
      'deployCanary orders-api',
      'deployCanary front',
      'shiftTraffic payments',
      'shiftTraffic orders-api',
      'shiftTraffic front',
      'shiftTraffic front',
      'promote payments',
      'promote orders-api',
      'promote front',
      'stopMirror payments',
      'stopMirror orders-api',
      'stopMirror front',
      'removeCanary payments',
      'removeCanary orders-api',
      'removeCanary front',
    ]);
    const shifts = h.commands.filter((c) => c.operation.operation === 'shiftTraffic');
    // Downstream members route by the tag alone; the entry colours 10%, then 100%.
    expect(shifts.map((c) => [c.operation.parameters.Service, c.operation.parameters.CanaryPercent])).toEqual(
      [
        ['payments', '0'],
        ['orders-api', '0'],
        ['front', '10'],
        ['front', '100'],
      ],
    );
    expect(registry(h, services)).toEqual({
      front: NEXT.front,
      'orders-api': NEXT['orders-api'],
      payments: NEXT.payments,
    });
    expect((await h.load(id)).exposure).toEqual([]);
  });

  it('takes every member lock, and a busy member refuses the group, naming the holder', async () => {
    const { h, services } = groupHarness(3);
    const single = await h.service.start({
      service: 'payments',
      toVersion: '2.0.10',
      requestedBy: requester,
    });
    if (!single.ok) throw new Error(single.message);
    const refused = await h.service.startGroup({
      versions: services.map((service) => ({ service, version: NEXT[service] ?? '' })),
      requestedBy: requester,
    });
    expect(refused).toMatchObject({ ok: false, reason: 'release-busy', activeReleaseId: single.release.id });
    expect(refused.ok ? '' : refused.message).toContain(
      `payments already has a release in progress (${single.release.id})`,
    );

    const { h: h2, services: s2 } = groupHarness(2);
    const id = await startGroupOf(h2, s2);
    for (const service of s2) expect(await h2.store.activeReleaseId(service)).toBe(id);
    const second = await h2.service.start({
      service: 'orders-api',
      toVersion: '1.4.3',
      requestedBy: requester,
    });
    expect(second).toMatchObject({ ok: false, reason: 'queued' });
  });

  it('rolls the whole group back when a downstream canary alarms: routing first (downstream first), then canaries', async () => {
    const { h, services } = groupHarness(3);
    const id = await startGroupOf(h, services);
    await throughRouting(h, 3);
    await h.service.alarmChanged(
      { alarmName: 'payments-canary-5xx', state: 'ALARM', reason: 'Threshold Crossed', at: h.now() },
      'alarm-1',
    );
    expect(await stateOf(h, id)).toBe('rollingBack');
    for (let i = 0; i < 3; i++) await h.finishCommand('stopMirror');
    for (let i = 0; i < 3; i++) await h.finishCommand('removeCanary');
    expect(await stateOf(h, id)).toBe('rolledBack');
    expect(sent(h).slice(6)).toEqual([
      'stopMirror payments',
      'stopMirror orders-api',
      'stopMirror front',
      'removeCanary payments',
      'removeCanary orders-api',
      'removeCanary front',
    ]);
    expect(registry(h, services)).toEqual(CURRENT_OF(services));
  });

  it('a failed promotion keeps the members already promoted, puts the failing one back, and says who runs what', async () => {
    const { h, services } = groupHarness(3, (c) => ({ ...c, promotion: { ...c.promotion, bakeSeconds: 0 } }));
    const id = await startGroupOf(h, services, [100]);
    await throughRouting(h, 3);
    await h.elapseWindow(id);
    await h.service.apply(id, { kind: 'approved', actor: approver });
    await h.finishCommand('promote'); // payments: settled
    await h.finishCommand('promote', 'failed'); // orders-api fails
    expect(await stateOf(h, id)).toBe('rollingBack');
    await h.finishCommand('stopMirror');
    await h.finishCommand('stopMirror');
    await h.finishCommand('stopMirror');
    await h.finishCommand('restoreStable');
    for (let i = 0; i < 3; i++) await h.finishCommand('removeCanary');
    const release = await h.load(id);
    expect(release.state).toBe('rolledBack');
    expect(sent(h).filter((c) => c.startsWith('restoreStable'))).toEqual(['restoreStable orders-api']);
    expect(registry(h, services)).toEqual({
      front: CURRENT.front,
      'orders-api': CURRENT['orders-api'],
      payments: NEXT.payments,
    });
    expect(release.group?.members.map((m) => [m.service, m.settled ?? false])).toEqual([
      ['front', false],
      ['orders-api', false],
      ['payments', true],
    ]);
  });

  it('an approver must approve every member; a group whose members share no approver is refused', async () => {
    // orders-api is approved by APPROVER and its own team only: SECOND_APPROVER approves front alone.
    const { h } = groupHarness(2, (c) =>
      c.service === 'orders-api'
        ? { ...c, approvals: { ...c.approvals, users: [APPROVER, 'U0ORDERS01'] } }
        : c,
    );
    const id = await startGroupOf(h, ['front', 'orders-api'], [100]);
    await throughRouting(h, 2);
    await h.elapseWindow(id);
    expect(await stateOf(h, id)).toBe('awaitingApproval');

    await h.service.apply(id, { kind: 'approved', actor: { kind: 'person', id: SECOND_APPROVER } });
    expect(await stateOf(h, id)).toBe('awaitingApproval');
    await h.service.apply(id, { kind: 'approved', actor: approver });
    expect(await stateOf(h, id)).toBe('promoting');

    const strangers = groupHarness(2, (c) =>
      c.service === 'orders-api' ? { ...c, approvals: { ...c.approvals, users: ['U0ORDERS01'] } } : c,
    ).h;
    const none = await strangers.service.startGroup({
      versions: [
        { service: 'front', version: NEXT.front ?? '' },
        { service: 'orders-api', version: NEXT['orders-api'] ?? '' },
      ],
      requestedBy: requester,
    });
    expect(none).toMatchObject({ ok: false, reason: 'no-common-approver' });
  });

  it('a named group comes from its entry service, with its manifest versions and promotion order', async () => {
    const front = memberConfig('front', {
      groups: [
        {
          name: 'checkout',
          downstream: ['orders-api'],
          promotionOrder: ['front', 'orders-api'],
          versions: { front: '2.0.1' },
        },
      ],
    });
    const { h } = groupHarness(2, (c) => (c.service === 'front' ? front : c));
    const missing = await h.service.startGroup({ group: 'checkout', versions: [], requestedBy: requester });
    expect(missing).toMatchObject({ ok: false, reason: 'missing-version' });
    expect(missing.ok ? '' : missing.message).toContain('/canary start group checkout orders-api=');
    const unknown = await h.service.startGroup({ group: 'basket', versions: [], requestedBy: requester });
    expect(unknown.ok ? '' : unknown.message).toBe(
      'No group called basket is configured. Configured groups: checkout.',
    );
    const started = await h.service.startGroup({
      group: 'checkout',
      versions: [{ service: 'orders-api', version: '1.4.2' }],
      requestedBy: requester,
    });
    if (!started.ok) throw new Error(started.message);
    expect(started.release.group).toMatchObject({
      name: 'checkout',
      promotionOrder: ['front', 'orders-api'],
      members: [
        { service: 'front', toVersion: '2.0.1' },
        { service: 'orders-api', toVersion: '1.4.2' },
      ],
    });
  });
});

function CURRENT_OF(services: readonly string[]) {
  return Object.fromEntries(services.map((s) => [s, CURRENT[s]]));
}

describe("a group's path counts", () => {
  it("are read at each window's end for every member since traffic began, and a late older count is ignored", async () => {
    const { h, services } = groupHarness(3);
    const id = await startGroupOf(h, services, [10, 100]);
    for (let i = 0; i < 3; i++) await h.finishCommand('deployCanary');
    for (let i = 0; i < 3; i++) await h.finishCommand('shiftTraffic');
    h.answerPath({
      front: { tagged: 0, untagged: 40 },
      'orders-api': { tagged: 40, untagged: 0 },
      payments: { tagged: 39, untagged: 1 },
    });
    await h.elapseWindow(id);
    const first = await h.load(id);
    expect(first.group?.members.map((m) => [m.service, m.path])).toEqual([
      ['front', { tagged: 0, untagged: 40 }],
      ['orders-api', { tagged: 40, untagged: 0 }],
      ['payments', { tagged: 39, untagged: 1 }],
    ]);
    const late = await h.service.apply(id, {
      kind: 'pathCounted',
      countId: 'old',
      until: first.trafficSince ?? '',
      counts: { front: { tagged: 0, untagged: 1 } },
    });
    expect(late).toMatchObject({ changed: false });
  });
});

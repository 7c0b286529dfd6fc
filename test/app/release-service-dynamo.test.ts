import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { APPROVER, REQUESTER, SECOND_APPROVER } from '../../local/fixture-service-config';
import { type LocalDynamo, startLocalDynamo } from '../support/dynamodb-local';
import { harness } from '../support/harness';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

async function onDynamo() {
  const h = harness({ store: dynamoReleaseStore(dynamo.client, await dynamo.createReleasesTable()) });
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: { kind: 'person', id: REQUESTER },
  });
  if (!started.ok) throw new Error(started.message);
  return { h, id: started.release.id };
}

describe('the release service on DynamoDB Local', () => {
  it('turns two approvals at the same moment into exactly one promotion', async () => {
    const { h, id } = await onDynamo();
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
    await h.elapseWindow(id);

    const results = await Promise.all([
      h.service.apply(id, { kind: 'approved', actor: { kind: 'person', id: APPROVER } }, 'click-1'),
      h.service.apply(id, { kind: 'approved', actor: { kind: 'person', id: SECOND_APPROVER } }, 'click-2'),
    ]);

    expect(results.filter((r) => r.ok && r.changed)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['not-awaiting-approval']);
    const release = await h.load(id);
    expect(release.approvals).toHaveLength(1);
    expect(h.commands.filter((c) => c.operation.operation === 'stopMirror')).toHaveLength(1);
  });

  it('applies a redelivered SSM result once, even when both deliveries race', async () => {
    const { h, id } = await onDynamo();
    const { commandId } = h.lastCommand('deployCanary');
    const event = { kind: 'commandFinished', commandId, status: 'success' } as const;

    await Promise.all([
      h.service.applyToCommand(commandId, event, 'evt-7'),
      h.service.applyToCommand(commandId, event, 'evt-7'),
    ]);

    expect(h.commands.map((c) => c.operation.operation)).toEqual(['deployCanary', 'startMirror']);
    expect((await h.store.history(id)).filter((e) => e.cause === 'commandFinished')).toHaveLength(1);
  });

  it('lets only one of two simultaneous starts for a service through, and queues the other', async () => {
    const h = harness({ store: dynamoReleaseStore(dynamo.client, await dynamo.createReleasesTable()) });
    const requestedBy = { kind: 'person', id: REQUESTER } as const;

    const results = await Promise.all([
      h.service.start({ service: 'orders-api', toVersion: '1.4.2', requestedBy }),
      h.service.start({ service: 'orders-api', toVersion: '1.4.3', requestedBy }),
    ]);

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ reason: 'queued' });
    expect(h.commands).toHaveLength(1);
  });

  it('starts the queued release once when two workers save the end of the one before it at the same moment', async () => {
    const { h, id } = await onDynamo();
    const queued = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.3',
      requestedBy: { kind: 'person', id: APPROVER },
    });
    if (queued.ok || queued.reason !== 'queued') throw new Error('the second start was not queued');
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
    await h.service.apply(id, { kind: 'abortRequested', actor: { kind: 'person', id: REQUESTER } });
    await h.finishCommand('stopMirror');
    const { commandId } = h.lastCommand('removeCanary');
    const end = { kind: 'commandFinished', commandId, status: 'success' } as const;

    await Promise.all([
      h.service.applyToCommand(commandId, end, 'evt-a'),
      h.service.applyToCommand(commandId, end, 'evt-b'),
      h.service.sweep(),
    ]);

    expect((await h.load(id)).state).toBe('rolledBack');
    expect(await h.store.activeReleaseId('orders-api')).toBe(queued.queued.releaseId);
    expect(await h.store.queuedStart('orders-api')).toBeNull();
    expect(h.commands.filter((c) => c.releaseId === queued.queued.releaseId)).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { APPROVER, STRANGER } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { approver, othersThan, runningWithQueued, succeed, toCleanUp } from './queue-fixtures';
import { operations } from './scenarios-fixtures';

/* A queued start cancelled, refused when its turn comes, and started once however often the end is processed. */

const queuer = { kind: 'person', id: 'U0QUEUER01' } as const;
const stranger = { kind: 'person', id: STRANGER } as const;

describe('cancelling a queued start', () => {
  it('is done by the person who queued it, who need not be an approver', async () => {
    const h = harness();
    const { running, queued } = await runningWithQueued(h, '1.4.3', queuer);

    const result = await h.service.cancelQueued({ service: 'orders-api', actor: queuer });

    expect(result).toEqual({ ok: true, queued });
    expect(await h.store.queuedStart('orders-api')).toBeNull();
    expect(h.notices.at(-1)).toMatchObject({
      release: { id: running },
      notice: { notice: { kind: 'queuedStartCancelled', by: queuer.id, version: '1.4.3', queuedBy: queuer } },
    });
    await succeed(h, running);
    expect(await othersThan(h, running)).toEqual([]);
  });

  it('is done by an approver of the service, and refused for anyone else, naming who may', async () => {
    const h = harness();
    const { queued } = await runningWithQueued(h, '1.4.3', queuer);

    const refused = await h.service.cancelQueued({ service: 'orders-api', actor: stranger });
    expect(await h.store.queuedStart('orders-api')).toEqual(queued);
    const cancelled = await h.service.cancelQueued({ service: 'orders-api', actor: approver });

    expect(refused).toMatchObject({
      ok: false,
      reason: 'not-authorized',
      queued,
      approvers: { users: expect.arrayContaining([APPROVER]) },
    });
    expect(!refused.ok && refused.message).toContain(`only ${queuer.id}, who queued it, or an approver`);
    expect(cancelled.ok).toBe(true);
  });

  it('by an old button does not cancel the newer start that replaced it', async () => {
    const h = harness();
    const { queued: older } = await runningWithQueued(h, '1.4.3', queuer);
    await h.service.start({ service: 'orders-api', toVersion: '1.4.4', requestedBy: queuer });

    const stale = await h.service.cancelQueued({
      service: 'orders-api',
      actor: queuer,
      releaseId: older.releaseId,
    });
    const again = await h.service.cancelQueued({ service: 'orders-api', actor: queuer });
    const nothing = await h.service.cancelQueued({ service: 'orders-api', actor: queuer });

    expect(stale).toMatchObject({ ok: false, reason: 'nothing-queued' });
    expect(again).toMatchObject({ ok: true, queued: { toVersion: '1.4.4' } });
    expect(nothing).toMatchObject({ ok: false, reason: 'nothing-queued' });
  });
});

describe('a queued start whose turn comes', () => {
  it('goes through the start path again: frozen meanwhile, it is dropped and the channel told why', async () => {
    const h = harness();
    const { running } = await runningWithQueued(h);
    await h.store.freeze({
      scope: 'orders-api',
      by: { kind: 'person', id: APPROVER },
      at: h.now(),
      reason: 'quarter close',
    });

    await succeed(h, running);

    expect(await h.store.queuedStart('orders-api')).toBeNull();
    expect(await h.store.activeReleaseId('orders-api')).toBeNull();
    expect(await othersThan(h, running)).toEqual([]);
    const dropped = h.notices.at(-1);
    expect(dropped).toMatchObject({
      release: { id: running, state: 'succeeded' },
      notice: {
        notice: { kind: 'queuedStartDropped', version: '1.4.3', queuedBy: approver },
        severity: 'warning',
      },
    });
    expect(dropped?.notice.notice).toMatchObject({ reason: expect.stringContaining('quarter close') });
  });

  it('is refused when an alarm it would watch was deleted meanwhile, and dropped with the alarm named', async () => {
    const h = harness();
    const { running } = await runningWithQueued(h);
    h.deleteAlarm('orders-api-stable-health');

    await succeed(h, running);

    expect(await othersThan(h, running)).toEqual([]);
    expect(h.notices.at(-1)?.notice.notice).toMatchObject({
      kind: 'queuedStartDropped',
      reason: expect.stringContaining('orders-api-stable-health'),
    });
  });

  it('starts once when the end is delivered twice', async () => {
    const h = harness();
    const { running, queued } = await runningWithQueued(h);
    await toCleanUp(h, running);
    const { commandId } = h.lastCommand('removeCanary');
    const end = { kind: 'commandFinished', commandId, status: 'success' } as const;

    await h.service.applyToCommand(commandId, end, 'evt-end');
    await h.service.applyToCommand(commandId, end, 'evt-end');
    await h.service.applyToCommand(commandId, end, 'evt-end-redelivered');

    expect((await othersThan(h, running)).map((r) => r.id)).toEqual([queued.releaseId]);
    expect(operations(h).filter((op) => op === 'deployCanary')).toHaveLength(2);
  });

  it('starts once when two workers apply the end at the same moment', async () => {
    const h = harness();
    const { running, queued } = await runningWithQueued(h);
    await toCleanUp(h, running);
    const { commandId } = h.lastCommand('removeCanary');
    const end = { kind: 'commandFinished', commandId, status: 'success' } as const;

    await Promise.all([
      h.service.applyToCommand(commandId, end, 'evt-a'),
      h.service.applyToCommand(commandId, end, 'evt-b'),
      h.service.sweep(),
    ]);

    expect((await othersThan(h, running)).map((r) => r.id)).toEqual([queued.releaseId]);
    expect(h.commands.filter((c) => c.releaseId === queued.releaseId)).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { memoryReleaseStore } from '../../adapters/memory-release-store';
import type { ReleaseStore } from '../../domain/ports';
import { harness } from '../support/harness';
import {
  approver,
  othersThan,
  requester,
  rollBack,
  runningWithQueued,
  succeed,
  toCleanUp,
} from './queue-fixtures';
import { operations } from './scenarios-fixtures';

/* A second start for a busy service is queued, and starts when the running release ends. */

describe('a start for a busy service', () => {
  it('is queued with who asked, the version and the exact options, and shown on the running card', async () => {
    // Prepare
    const h = harness();

    // Act
    const { running, answer, queued } = await runningWithQueued(h);

    // Assess
    expect(answer.message).toContain(`it starts when release ${running} ends`);
    expect(queued).toMatchObject({
      service: 'orders-api',
      toVersion: '1.4.3',
      requestedBy: approver,
      behind: running,
      strategy: { kind: 'steps', steps: [10, 100] },
      windowSeconds: 600,
    });
    expect(await h.store.queuedStart('orders-api')).toEqual(queued);
    expect(operations(h)).toEqual(['deployCanary']);
    expect(h.notices.at(-1)).toMatchObject({
      release: { id: running },
      notice: { notice: { kind: 'startQueued', version: '1.4.3', by: approver }, severity: 'info' },
    });
  });

  it('starts once the running release succeeds, from the version it left live, with the options asked for', async () => {
    const h = harness();
    const { running, queued } = await runningWithQueued(h);

    await succeed(h, running);

    const next = await h.load(queued.releaseId);
    expect(next).toMatchObject({ fromVersion: '1.4.2', toVersion: '1.4.3', requestedBy: approver });
    expect(next.strategy).toMatchObject({ kind: 'steps', steps: [10, 100], bakeSeconds: 600 });
    expect(await h.store.activeReleaseId('orders-api')).toBe(queued.releaseId);
    expect(await h.store.queuedStart('orders-api')).toBeNull();
    expect(h.lastCommand('deployCanary').releaseId).toBe(queued.releaseId);
  });

  it('starts once the running release is rolled back, from the version still live', async () => {
    const h = harness();
    const { running, queued } = await runningWithQueued(h);

    await rollBack(h, running);

    expect((await h.load(running)).state).toBe('rolledBack');
    expect(await h.load(queued.releaseId)).toMatchObject({ fromVersion: '1.4.1', toVersion: '1.4.3' });
  });

  it('waits for a person after a failed rollback, and starts once the retried rollback ends', async () => {
    const h = harness();
    const { running, queued } = await runningWithQueued(h);
    await h.finishCommand('deployCanary');
    await h.finishCommand('startMirror');
    await h.service.apply(running, { kind: 'abortRequested', actor: requester });
    await h.finishCommand('stopMirror', 'failed');
    expect((await h.load(running)).state).toBe('rollbackFailed');

    h.advance(3600);
    await h.service.sweep();
    await h.service.apply(running, { kind: 'timerElapsed', timerId: 'late' }, 'evt-late');

    expect(await h.store.queuedStart('orders-api')).toEqual(queued);
    expect(await h.store.activeReleaseId('orders-api')).toBe(running);
    await h.service.apply(running, { kind: 'rollbackRetried', actor: requester });
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');
    expect((await h.load(running)).state).toBe('rolledBack');
    expect(await h.store.activeReleaseId('orders-api')).toBe(queued.releaseId);
  });

  it('is replaced by a newer version, which the answer and the card say, and only the newer one starts', async () => {
    const h = harness();
    const { running, queued: older } = await runningWithQueued(h, '1.4.3', requester);

    const newer = await h.service.start({ service: 'orders-api', toVersion: '1.4.4', requestedBy: approver });

    expect(newer).toMatchObject({ ok: false, reason: 'queued', replaced: { toVersion: '1.4.3' } });
    expect(!newer.ok && newer.message).toContain(`in place of 1.4.3 queued by ${requester.id}`);
    expect(h.notices.at(-1)?.notice.notice).toEqual({
      kind: 'startQueued',
      by: approver,
      version: '1.4.4',
      replaced: { version: '1.4.3', by: requester },
    });
    await succeed(h, running);
    expect((await othersThan(h, running)).map((r) => r.toVersion)).toEqual(['1.4.4']);
    expect(await h.store.load(older.releaseId)).toBeNull();
  });

  it('starts from the sweeper when the worker that saved the end died before starting it', async () => {
    const store = memoryReleaseStore();
    let crash = false;
    const dying: ReleaseStore = {
      ...store,
      queuedStart: async (service) => {
        if (crash) throw new Error('the Lambda ran out of time');
        return store.queuedStart(service);
      },
    };
    const h = harness({ store: dying });
    const { running, queued } = await runningWithQueued(h);
    await toCleanUp(h, running);

    crash = true;
    await expect(h.finishCommand('removeCanary')).rejects.toThrow('ran out of time');
    crash = false;
    expect((await h.load(running)).state).toBe('succeeded');
    expect(await h.store.activeReleaseId('orders-api')).toBeNull();
    const swept = await h.service.sweep();

    expect(swept.queuedStarted).toBe(1);
    expect(await h.store.activeReleaseId('orders-api')).toBe(queued.releaseId);
    expect((await h.service.sweep()).queuedStarted).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { UnknownReleaseError } from '../../domain/errors';
import { harness } from '../support/harness';
import { operations, startOrders } from './scenarios-fixtures';

describe('a mirror release, end to end', () => {
  it('moves a release whose command results were lost on through the sweeper', async () => {
    const h = harness();
    const id = await startOrders(h);
    const { run } = await h.load(id);

    h.advance(600 + 120 + 1);
    const swept = await h.service.sweep();

    expect(swept.deadlines).toBe(1);
    const release = await h.load(id);
    expect(release.rollback?.reason).toEqual({ kind: 'deadlineExceeded', state: 'deployingCanary' });
    expect(release.run?.stepId).not.toBe(run?.stepId);
    expect(operations(h).at(-1)).toBe('removeCanary');
  });

  it('ignores a redelivered command result', async () => {
    const h = harness();
    const id = await startOrders(h);
    const { commandId } = h.lastCommand('deployCanary');
    const event = { kind: 'commandFinished', commandId, status: 'success' } as const;
    await h.service.applyToCommand(commandId, event, 'evt-ssm-1');
    const after = await h.load(id);

    const again = await h.service.applyToCommand(commandId, event, 'evt-ssm-1');

    expect(again).toMatchObject({ ok: true, changed: false });
    expect(await h.load(id)).toEqual(after);
    expect(operations(h)).toEqual(['deployCanary', 'startMirror']);
  });

  it('keeps an effect that could not run in the outbox and runs it on the next sweep', async () => {
    const h = harness();
    h.failFleetCalls(1);

    const id = await startOrders(h);
    expect(h.commands).toEqual([]);
    expect(h.failedEffects.map((e) => e.effect.kind)).toEqual(['runHostOperation']);
    expect((await h.store.pendingEffects(h.now())).map((e) => e.effect.kind)).toEqual(['runHostOperation']);

    h.advance(61);
    const swept = await h.service.sweep();

    expect(swept.effectsRerun).toBe(1);
    expect(operations(h)).toEqual(['deployCanary']);
    expect((await h.load(id)).run).toMatchObject({ commandId: h.lastCommand('deployCanary').commandId });
    expect(await h.store.pendingEffects(h.now())).toEqual([]);
  });

  it('follows the first command when an effect ran twice, and ignores the duplicate’s results', async () => {
    const h = harness();
    const id = await startOrders(h);
    const release = await h.load(id);
    const first = h.lastCommand('deployCanary');

    // The same outbox effect runs again (a Lambda died after SendCommand and before completing the effect).
    await h.service.apply(
      id,
      { kind: 'hostOperationDispatched', stepId: release.run?.stepId ?? '', commandId: 'cmd-duplicate' },
      'rerun',
    );
    const duplicate = await h.service.apply(id, {
      kind: 'commandFinished',
      commandId: 'cmd-duplicate',
      status: 'failed',
    });

    expect((await h.load(id)).run).toMatchObject({ commandId: first.commandId });
    expect(duplicate).toMatchObject({ ok: true, changed: false });
  });

  it('says clearly when an event names a release or command it does not know', async () => {
    const h = harness();

    await expect(
      h.service.apply('orders-api-r404', { kind: 'timerElapsed', timerId: 'x' }),
    ).rejects.toBeInstanceOf(UnknownReleaseError);
    await expect(
      h.service.applyToCommand('cmd-404', {
        kind: 'commandFinished',
        commandId: 'cmd-404',
        status: 'success',
      }),
    ).rejects.toThrow('No release is known for command cmd-404');
  });
});

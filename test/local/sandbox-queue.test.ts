import { describe, expect, it } from 'vitest';
import { APPROVER, ended, REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * The start queue end to end in the sandbox: `/canary start` typed in its Slack while a release runs is queued (the
 * Slack function hands its effects off, as on Lambda), and starts on the hosts once the running release ends, with
 * live traffic throughout.
 */
const session = sandboxSession('sandbox-queue');

describe('a start queued in the sandbox', () => {
  it('starts after the running release ends, from the version it left live, and is promoted in its turn', async () => {
    const sandbox = session.sandbox();
    const before = session.traffic().summary();
    const first = await sandbox.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: REQUESTER,
    });
    if (!first.ok) throw new Error(first.message);

    const { reply } = await sandbox.slack.command(APPROVER.id, 'start orders-api 1.4.3');
    expect(JSON.stringify(reply)).toContain('Queued *orders-api* *1.4.3*');
    const queued = await sandbox.store.queuedStart('orders-api');
    expect(queued).toMatchObject({ toVersion: '1.4.3', behind: first.release.id });
    await sandbox.waitFor(first.release.id, (r) => r.state === 'awaitingApproval');
    expect(await sandbox.store.activeReleaseId('orders-api')).toBe(first.release.id);
    await sandbox.service.apply(first.release.id, { kind: 'approved', actor: APPROVER });
    const done = await sandbox.waitFor(first.release.id, ended, 60_000);
    expect(done.state).toBe('succeeded');

    const next = queued?.releaseId ?? '';
    const waiting = await sandbox.waitFor(next, (r) => r.state === 'awaitingApproval' || ended(r), 60_000);
    expect(waiting).toMatchObject({ fromVersion: '1.4.2', toVersion: '1.4.3', requestedBy: APPROVER });
    expect(await sandbox.store.queuedStart('orders-api')).toBeNull();
    // Four eyes: ben queued it, so cat, the other approver, promotes it.
    await sandbox.service.apply(next, { kind: 'approved', actor: { kind: 'person', id: 'UCAT0SANDBOX' } });
    expect((await sandbox.waitFor(next, ended, 60_000)).state).toBe('succeeded');
    expect(await session.servingVersion()).toBe('1.4.3');
    expect(session.failedSince(before)).toBe(0);
  }, 180_000);
});

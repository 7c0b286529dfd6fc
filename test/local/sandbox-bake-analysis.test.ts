import { describe, expect, it } from 'vitest';
import { APPROVER, ended, REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * The bake's analysis on real nginx hosts: the sandbox's service with `promotion.bakeAnalysis`, so that during the
 * bake the promoted fleet is judged on its load balancer's figures against the same fleet before the release
 * began. A version that turns slow only once it serves everyone raises no 5xx alarm; the analysis sees it.
 */
const session = sandboxSession('sandbox-bake-analysis', {
  configure: (config) => ({ ...config, promotion: { ...config.promotion, bakeAnalysis: true } }),
});

describe('the bake’s analysis in the sandbox', () => {
  it('judges the promoted fleet against its figures before the release, and lets a sound version succeed', async () => {
    const done = await session.release({ service: 'orders-api', toVersion: '1.4.2', requestedBy: REQUESTER });

    expect(done.state).toBe('succeeded');
    expect(done.evidence).toMatchObject({ of: 'bake', final: true, verdict: 'pass' });
    expect(done.evidence?.requests.canary).toBeGreaterThan(0);
    expect(done.evidence?.requests.stable).toBeGreaterThan(0);
  }, 120_000);

  it('puts the previous version back when the promoted fleet turns three times slower during the bake', async () => {
    const sandbox = session.sandbox();
    const started = await sandbox.service.start({
      service: 'orders-api',
      toVersion: '1.4.3',
      requestedBy: REQUESTER,
    });
    if (!started.ok) throw new Error(started.message);
    const id = started.release.id;
    await sandbox.waitFor(id, (r) => r.state === 'awaitingApproval');
    await sandbox.service.apply(id, { kind: 'approved', actor: APPROVER });
    await sandbox.waitFor(id, (r) => r.state === 'baking', 60_000);
    sandbox.fleet.markSlow('1.4.3');

    const done = await sandbox.waitFor(id, ended, 60_000);

    expect(done.state).toBe('rolledBack');
    expect(done.rollback?.reason).toMatchObject({ kind: 'analysisFailed' });
    const reason = done.rollback?.reason;
    expect(reason?.kind === 'analysisFailed' && reason.metrics.some((m) => m.startsWith('latency'))).toBe(
      true,
    );
    expect(done.evidence?.of).toBe('bake');
    expect(await session.servingVersion()).toBe('1.4.2');
  }, 120_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Release } from '../../domain/types';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../local/sandbox';
import { ended } from '../../local/sandbox-person';
import { backgroundTraffic } from '../../local/traffic';

export const REQUESTER = { kind: 'person', id: 'UANA0SANDBOX' } as const;
export const APPROVER = { kind: 'person', id: 'UBEN0SANDBOX' } as const;
export { ended };

/**
 * One sandbox for a test file, with 40 requests a second of background traffic (a sticky cookie per user) on the
 * service's load balancer from start to end; stopped, and its folder removed, after the file's tests.
 */
export function sandboxSession(name: string, options: Pick<SandboxOptions, 'configure'> = {}) {
  let dir: string | undefined;
  let sandbox: Sandbox | undefined;
  let traffic: ReturnType<typeof backgroundTraffic> | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the sandbox is not up: use it inside a test');
    return value;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `ca-${name}-`));
    const up = await startSandbox({ dir, speedUp: 20, ...options });
    sandbox = up;
    traffic = backgroundTraffic(() => up.fleet.stableLb.port(), 40);
    traffic.start();
  }, 60_000);

  afterAll(async () => {
    await traffic?.stop();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  return {
    sandbox: () => started(sandbox),
    traffic: () => started(traffic),
    /** Requests the load balancer answered with anything but 200 since `before` (a traffic summary). */
    failedSince(before: ReturnType<ReturnType<typeof backgroundTraffic>['summary']>): number {
      const after = started(traffic).summary();
      return [...after.byStatus]
        .filter(([status]) => status !== 200)
        .map(([status, n]) => n - (before.byStatus.get(status) ?? 0))
        .reduce((a, b) => a + b, 0);
    },
    /** The version that answers a user on the service's load balancer now. */
    servingVersion: async (): Promise<string | null> =>
      (await fetch(`${started(sandbox).stableUrl}/orders/42`)).headers.get('x-service-version'),
    /** Starts a release, presses Promote when asked, and waits for it to end. */
    async release(start: Parameters<Sandbox['service']['start']>[0]): Promise<Release> {
      const up = started(sandbox);
      const begun = await up.service.start(start);
      if (!begun.ok) throw new Error(begun.message);
      const waiting = await up.waitFor(
        begun.release.id,
        (r) => r.state === 'awaitingApproval' || ended(r) || r.state === 'rollingBack',
      );
      if (waiting.state === 'awaitingApproval')
        await up.service.apply(waiting.id, { kind: 'approved', actor: APPROVER });
      return up.waitFor(begun.release.id, ended, 60_000);
    },
  };
}

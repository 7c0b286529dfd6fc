import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUESTER, sandboxSession } from '../support/sandbox-session';

/**
 * A service that deploys with its own SSM document (examples/documents/orders-deploy.yml) instead of the built-in
 * Docker steps, through whole releases in the sandbox: the same drained batches, results and rollback, on real
 * nginx hosts with 40 requests a second of background traffic.
 */
const session = sandboxSession('sandbox-custom-deploy', {
  configure: (config) => ({ ...config, deploy: { document: 'orders-deploy' } }),
});

/** The `docker run`s the custom document made on every host, by the label it gives them. */
function customRuns(): string[] {
  return session
    .sandbox()
    .fleet.hosts()
    .flatMap((host) => {
      const log = join(host.root, 'docker', 'commands.log');
      return existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
    })
    .flatMap((line) => line.match(/"release=([A-Za-z]+)-/)?.[1] ?? []);
}

describe('a custom deploy document in the sandbox', () => {
  it('deploys the canary and promotes every stable host with it, without a failed request', async () => {
    const before = session.traffic().summary();
    const released = await session.release({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: REQUESTER,
    });
    expect(released.state).toBe('succeeded');
    expect(await session.servingVersion()).toBe('1.4.2');
    const runs = customRuns();
    expect(runs).toContain('deployCanary');
    expect(runs.filter((r) => r === 'promote')).toHaveLength(session.sandbox().fleet.liveHosts().length);
    expect(session.failedSince(before)).toBe(0);
  }, 150_000);

  it('rolls a failed promotion back with the same document', async () => {
    const sandbox = session.sandbox();
    const [failing] = sandbox.fleet
      .liveHosts()
      .map((h) => h.id)
      .sort()
      .reverse();
    sandbox.fleet.markUnhealthy('1.4.3', failing ? [failing] : []);
    const done = await session.release({ service: 'orders-api', toVersion: '1.4.3', requestedBy: REQUESTER });
    expect(done.state).toBe('rolledBack');
    expect(done.rollback?.reason).toMatchObject({
      kind: 'hostOperationFailed',
      operation: 'promote',
      hostId: failing,
      output: expect.stringMatching(/1\.4\.3 failed its health check \/healthz .*put back$/),
    });
    expect(customRuns()).toContain('restoreStable');
    expect(await session.servingVersion()).toBe('1.4.2');
  }, 150_000);
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { get, occupy, run, snapshot } from '../../local/loopback-host';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { expectSucceeded, IMAGE, operationsHosts } from './operations-hosts';

/* The canary host's documents on real nginx: deploy, replace, remove. Set-up in operations-hosts.ts. */

const { canary, ports, base, image } = operationsHosts();

describe('a release through the documents, on real nginx', () => {
  it('deploys the canary, and a second run changes nothing', async () => {
    const params = { ...base, ...image, ContainerPort: String(ports.canary), Version: '2.0.0' };
    expectSucceeded(await run(canary, 'deploy-canary.yml', params), true);
    expectSucceeded(await run(canary, 'deploy-canary.yml', params), false);
    expect((await get(ports.canary, '/healthz')).body.version).toBe('2.0.0');
    expect(snapshot(canary).containers).toEqual([
      { name: 'orders-api-canary', image: `${IMAGE}:2.0.0`, running: true },
    ]);
  });

  it('replaces a canary only with a healthy one, and keeps it when the new one fails', async () => {
    writeFileSync(join(canary.root, 'docker', 'unhealthy'), '2.0.1-bad\n');
    const before = snapshot(canary);
    const params = { ...base, ...image, ContainerPort: String(ports.canary), Version: '2.0.1-bad' };
    expectFailedAndRestored(
      await run(canary, 'deploy-canary.yml', params, { CA_HEALTH_TIMEOUT_SECONDS: '1' }),
      /health check/,
    );
    expect(snapshot(canary)).toEqual(before);
    expect((await get(ports.canary)).body.version).toBe('2.0.0');
  });

  it('removes the canary, and a second run changes nothing', async () => {
    expectSucceeded(await run(canary, 'remove-canary.yml', base), true);
    expect(snapshot(canary).containers).toEqual([]);
    expectSucceeded(await run(canary, 'remove-canary.yml', base), false);
  });

  it('leaves no container behind when the canary port is taken', async () => {
    const taken = await occupy(ports.canary);
    try {
      const params = { ...base, ...image, ContainerPort: String(ports.canary), Version: '2.0.0' };
      expectFailedAndRestored(await run(canary, 'deploy-canary.yml', params), /port/);
    } finally {
      taken.close();
    }
    expect(snapshot(canary).containers).toEqual([]);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { get, run, snapshot } from '../../local/loopback-host';
import { expectFailedAndRestored } from './expect-failed-and-restored';
import { expectSucceeded, IMAGE, operationsHosts } from './operations-hosts';

/*
 * The stable host's version through the documents on real nginx: promote, roll back, and the idle blue/green
 * host's deploy. Set-up in operations-hosts.ts.
 */

const { stable, ports, base, image } = operationsHosts();

describe('a release through the documents, on real nginx', () => {
  it('refuses to promote an unhealthy version and keeps the running one', async () => {
    writeFileSync(join(stable.root, 'docker', 'unhealthy'), '2.0.0-bad\n');
    const before = snapshot(stable);
    const params = { ...base, ...image, Version: '2.0.0-bad', PreviousVersion: '1.0.0' };
    expectFailedAndRestored(
      await run(stable, 'promote.yml', params, { CA_HEALTH_TIMEOUT_SECONDS: '1' }),
      /health check/,
    );
    expect(snapshot(stable)).toEqual(before);
    expect((await get(ports.listen)).body.version).toBe('1.0.0');
  });

  it('promotes the verified version, keeping the previous container, and a second run changes nothing', async () => {
    const params = { ...base, ...image, Version: '2.0.0', PreviousVersion: '1.0.0' };
    expectSucceeded(await run(stable, 'promote.yml', params), true);
    const after = snapshot(stable);
    expect(after.containers).toEqual([
      { name: 'orders-api', image: `${IMAGE}:2.0.0`, running: true },
      { name: 'orders-api-previous', image: `${IMAGE}:1.0.0`, running: false },
    ]);
    expectSucceeded(await run(stable, 'promote.yml', params), false);
    expect(snapshot(stable)).toEqual(after);
    expect((await get(ports.listen)).body.version).toBe('2.0.0');
  });

  it('rolls back to the kept container, and a second run changes nothing', async () => {
    const params = { ...base, ...image, Version: '1.0.0' };
    expectSucceeded(await run(stable, 'restore-stable.yml', params), true);
    const after = snapshot(stable);
    expect(after.containers).toEqual([{ name: 'orders-api', image: `${IMAGE}:1.0.0`, running: true }]);
    expectSucceeded(await run(stable, 'restore-stable.yml', params), false);
    expect(snapshot(stable)).toEqual(after);
    expect((await get(ports.listen)).body.version).toBe('1.0.0');
  });

  // Blue/green: the stable host stands in for a host of the idle colour (no user on it in real life).
  it('deploys any version onto an idle blue/green host behind its own nginx, and a second run changes nothing', async () => {
    const params = { ...base, ...image, Version: '3.0.0' };
    expectSucceeded(await run(stable, 'deploy-idle.yml', params), true);
    const after = snapshot(stable);
    expect(after.containers).toEqual([{ name: 'orders-api', image: `${IMAGE}:3.0.0`, running: true }]);
    expectSucceeded(await run(stable, 'deploy-idle.yml', params), false);
    expect(snapshot(stable)).toEqual(after);
    expect((await get(ports.listen)).body.version).toBe('3.0.0');
  });

  it('keeps the idle host’s version when the new one fails its health check', async () => {
    writeFileSync(join(stable.root, 'docker', 'unhealthy'), '3.0.1-bad\n');
    const before = snapshot(stable);
    expectFailedAndRestored(
      await run(
        stable,
        'deploy-idle.yml',
        { ...base, ...image, Version: '3.0.1-bad' },
        { CA_HEALTH_TIMEOUT_SECONDS: '1' },
      ),
      /health check/,
    );
    expect(snapshot(stable)).toEqual(before);
    expect((await get(ports.listen)).body.version).toBe('3.0.0');
  });
});

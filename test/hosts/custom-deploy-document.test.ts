import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDocument } from '../../hosts/run-document';
import { freePort } from '../../local/free-port';
import { createHost, destroyHost, get, type Host, runService, snapshot } from '../../local/loopback-host';
import { IMAGE } from './operations-hosts';

/*
 * examples/documents/orders-deploy.yml, the team's own deploy document a service may name (`deploy.document`),
 * run as SSM would on a loopback host with the fake Docker: the contract the agent relies on (exit status, a
 * second run that changes nothing, the previous container put back on failure).
 */

const EXAMPLE = 'examples/documents/orders-deploy.yml';
let host: Host;
let port: number;

beforeAll(async () => {
  port = await freePort();
  host = createHost('custom', await freePort());
  runService(host, IMAGE, port, '1.0.0');
});
afterAll(() => destroyHost(host));

const deploy = (Operation: string, Version: string) =>
  runDocument(
    EXAMPLE,
    {
      Service: 'orders-api',
      ReleaseId: 'orders-api-r1',
      Operation,
      Image: IMAGE,
      ContainerPort: String(port),
      HealthPath: '/healthz',
      Version,
      PreviousVersion: '1.0.0',
    },
    { env: { ...host.env, CA_HEALTH_TIMEOUT_SECONDS: '2' } },
  );

async function expectExit(outcome: ReturnType<typeof deploy>, code: number, output: RegExp) {
  const result = await outcome;
  if (!result.ok) throw new Error(`refused: ${result.refused.join(', ')}`);
  expect(result.exitCode, result.stderr).toBe(code);
  expect(result.stdout + result.stderr).toMatch(output);
}

describe('the example deploy document', () => {
  it('promotes a stable host, and a second run changes nothing', async () => {
    await expectExit(deploy('promote', '2.0.0'), 0, /orders-api runs .*:2\.0\.0 \(promote\), healthy/);
    expect((await get(port)).body.version).toBe('2.0.0');
    await expectExit(deploy('promote', '2.0.0'), 0, /orders-api already runs/);
  });

  it('puts the running version back when the new one fails its health check', async () => {
    writeFileSync(join(host.root, 'docker', 'unhealthy'), '2.0.1\n');
    await expectExit(deploy('promote', '2.0.1'), 1, /:2\.0\.1 failed its health check \/healthz .*put back/);
    expect((await get(port)).body.version).toBe('2.0.0');
    expect(snapshot(host).containers).toContainEqual({
      name: 'orders-api',
      image: `${IMAGE}:2.0.0`,
      running: true,
    });
  });

  it('restores the version from before the release without the registry', async () => {
    writeFileSync(join(host.root, 'docker', 'missing-images'), `${IMAGE}:1.0.0\n`);
    await expectExit(deploy('restoreStable', '1.0.0'), 0, /orders-api runs .*:1\.0\.0/);
    expect((await get(port)).body.version).toBe('1.0.0');
  });
});

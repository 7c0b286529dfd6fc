import { afterAll, beforeAll, expect } from 'vitest';
import { freePort } from '../../local/free-port';
import {
  createHost,
  destroyHost,
  type Host,
  loopbackStable,
  type run,
  runService,
  startStableNginx,
} from '../../local/loopback-host';

/**
 * A release through the host documents, on real nginx: a stable host running 1.0.0 behind its nginx, as the team's
 * tooling left it, and an empty canary host. For the operations-*.test.ts files.
 */
export const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api';

export function expectSucceeded(outcome: Awaited<ReturnType<typeof run>>, changed: boolean) {
  if (!outcome.ok) throw new Error(`refused: ${outcome.refused.join(', ')}`);
  expect(outcome.exitCode, outcome.stderr).toBe(0);
  expect(outcome.summary).toMatchObject({
    ok: true,
    changed,
    service: 'orders-api',
    releaseId: 'orders-api-r1',
  });
}

/**
 * Registers the file's two hosts (created before its first test, destroyed after its last) and returns them with
 * the documents' parameters; all are filled in by the file's beforeAll.
 */
export function operationsHosts() {
  const stable = {} as Host;
  const canary = {} as Host;
  const ports = {} as { listen: number; service: number; canary: number; admin: number; canaryAdmin: number };
  const base: Record<string, string> = {};
  const proxy: Record<string, string> = {};
  const image: Record<string, string> = {};

  beforeAll(async () => {
    Object.assign(ports, {
      listen: await freePort(),
      service: await freePort(),
      canary: await freePort(),
      admin: await freePort(),
      canaryAdmin: await freePort(),
    });
    Object.assign(stable, createHost('stable', ports.admin, { CA_MIRROR_PORT: String(ports.canary) }));
    Object.assign(canary, createHost('canary', ports.canaryAdmin));
    Object.assign(base, { Service: 'orders-api', ReleaseId: 'orders-api-r1' });
    Object.assign(image, { Image: IMAGE, ContainerPort: String(ports.service), HealthPath: '/healthz' });
    Object.assign(proxy, {
      ListenPort: String(ports.listen),
      ServicePort: String(ports.service),
      ConnectTimeout: '5',
      ReadTimeout: '30',
      SendTimeout: '45',
    });
    // The stable host as the team's tooling left it: version 1.0.0 behind the host's nginx.
    runService(stable, IMAGE, ports.service, '1.0.0');
    startStableNginx(stable, loopbackStable(ports.listen, ports.service));
  });

  afterAll(() => {
    destroyHost(stable);
    destroyHost(canary);
  });

  return { stable, canary, ports, base, proxy, image };
}

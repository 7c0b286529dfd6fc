import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type LoadBalancer, loadBalancer } from '../../local/load-balancer';

const servers: Server[] = [];
let lb: LoadBalancer | undefined;
afterEach(async () => {
  await lb?.stop();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function target(version: string, status = 200): Promise<number> {
  const server = createServer((_req, res) =>
    res.writeHead(status, { 'x-service-version': version }).end(version),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function get(port: number): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  return { status: response.status, body: await response.text() };
}

describe('the sandbox load balancer', () => {
  it('spreads requests over its targets and skips one that refuses connections', async () => {
    const a = await target('a');
    const b = await target('b');
    const dead = await target('dead');
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const statuses: number[] = [];
    lb = loadBalancer({
      name: 'stable',
      targets: () => [a, dead, b].map((port) => ({ host: '127.0.0.1', port })),
      onResponse: (s) => statuses.push(s),
    });
    const port = await lb.start();

    const bodies = [];
    for (let i = 0; i < 6; i++) bodies.push((await get(port)).body);

    expect(new Set(bodies)).toEqual(new Set(['a', 'b']));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('answers 502 when no target answers, and counts 5XX from targets', async () => {
    const failing = await target('x', 503);
    lb = loadBalancer({ name: 'canary', targets: () => [{ host: '127.0.0.1', port: failing }] });
    const port = await lb.start();

    expect((await get(port)).status).toBe(503);
    expect(lb.counts().get(503)).toBe(1);
  });
});

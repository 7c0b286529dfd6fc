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

async function target(version: string, status = 200, delayMs = 0): Promise<number> {
  const server = createServer((_req, res) =>
    setTimeout(() => res.writeHead(status, { 'x-service-version': version }).end(version), delayMs),
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

  it('records each request: the injected clock at arrival, the target, its status and its response time', async () => {
    const fast = await target('fast');
    const slow = await target('slow', 500, 30);
    let clock = 1_000;
    lb = loadBalancer({
      name: 'canary',
      targets: () => [fast, slow].map((port) => ({ host: '127.0.0.1', port })),
      now: () => clock,
    });
    const port = await lb.start();

    for (let i = 0; i < 4; i++) {
      clock += 250;
      await get(port);
    }

    const records = lb.records();
    expect(records.map((r) => [r.atMs, r.status, r.target?.port])).toEqual([
      [1_250, 200, fast],
      [1_500, 500, slow],
      [1_750, 200, fast],
      [2_000, 500, slow],
    ]);
    // The slow target holds its answer for 30 ms (a timer never fires early); the fast one answers at once.
    for (const record of records.filter((r) => r.target?.port === slow))
      expect(record.latencyMs).toBeGreaterThanOrEqual(29);
  });

  it('records its own 502 without a target, and keeps only the latest records', async () => {
    const gone = await target('gone');
    await new Promise((resolve) => servers.pop()?.close(resolve));
    let clock = 0;
    lb = loadBalancer({
      name: 'canary',
      targets: () => [{ host: '127.0.0.1', port: gone }],
      now: () => ++clock,
      maxRecords: 3,
    });
    const port = await lb.start();

    for (let i = 0; i < 7; i++) expect((await get(port)).status).toBe(502);

    expect(lb.records().map((r) => [r.atMs, r.status, r.target])).toEqual([
      [5, 502, undefined],
      [6, 502, undefined],
      [7, 502, undefined],
    ]);
    expect(lb.counts().get(502)).toBe(7);
  });

  it('while unreachable, drops every connection unanswered and records nothing', async () => {
    const up = await target('up');
    let reachable = false;
    lb = loadBalancer({
      name: 'canary',
      targets: () => [{ host: '127.0.0.1', port: up }],
      reachable: () => reachable,
    });
    const port = await lb.start();

    await expect(get(port)).rejects.toThrow();
    expect(lb.records()).toEqual([]);
    reachable = true;
    expect((await get(port)).body).toBe('up');
    expect(lb.records()).toHaveLength(1);
  });
});

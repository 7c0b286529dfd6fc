import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import {
  alive,
  createHost,
  destroyHost,
  type Host,
  loopbackStable,
  run,
  runService,
  startStableNginx,
} from '../../local/loopback-host';

/**
 * Every hand-off on real nginx (docs/hand-offs.md): a client keeps a connection alive to the proxy that is about to
 * stop and sends its next request only once the drain has begun. Without the drain, nginx's SIGQUIT (or a reload's)
 * closes that idle connection and the request meets a closed socket; with it, the request is answered, with
 * `Connection: close`, and the old proxy stops only after the client has closed.
 */
const IMAGE = 'registry.local/orders-api';
let host: Host;
let ports: { listen: number; service: number; canary: number; admin: number };
let proxy: Record<string, string>;

interface Answer {
  readonly status: number;
  readonly connection: string;
}

/** One kept-alive connection, written by hand so that nothing reconnects or retries behind the test's back. */
class KeptAlive {
  private readonly socket: Socket;
  private buffer = '';
  private waiting?: () => void;
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiting?.();
    });
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
    this.socket.on('close', () => this.waiting?.());
    this.socket.on('error', () => {});
  }

  /** Sends a GET and reads its answer; rejects if the connection closes first (what an ALB answers with 502). */
  async get(): Promise<Answer> {
    this.buffer = '';
    this.socket.write('GET /orders HTTP/1.1\r\nHost: api.example.com\r\n\r\n');
    for (;;) {
      const answer = this.complete();
      if (answer) return answer;
      if (this.socket.destroyed || this.socket.readableEnded) throw new Error('closed without an answer');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  private complete(): Answer | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const head = this.buffer.slice(0, end);
    const body = this.buffer.slice(end + 4);
    const length = head.match(/^content-length:\s*(\d+)/im);
    const done = length ? body.length >= Number(length[1]) : body.endsWith('0\r\n\r\n');
    if (!done) return undefined;
    return {
      status: Number(head.split(' ')[1]),
      connection: head.match(/^connection:\s*(\S+)/im)?.[1]?.toLowerCase() ?? '',
    };
  }

  /** The client's end as the server's `ss` shows it: address:port. */
  get address(): string {
    return `${this.socket.localAddress}:${this.socket.localPort}`;
  }

  end(): void {
    this.socket.end();
  }
}

const pidFile = (name: string) => join(host.root, 'run', name);
const pidIn = (file: string) => Number(readFileSync(file, 'utf8').trim());

const awaited = (old: string) =>
  existsSync(`${old}.draining`) ? readFileSync(`${old}.draining`, 'utf8').split('\n') : [];

async function until(check: () => boolean): Promise<void> {
  await expect.poll(check, { timeout: 10_000, interval: 5 }).toBe(true);
}

/**
 * Runs a hand-off while a connection to the old proxy (whose pid file is `old`) idles: once the drain waits for it,
 * the old proxy is still there, answers the connection's next request with `Connection: close`, and stops after.
 */
async function handOffWithIdleClient(old: string, file: string, params: Record<string, string>) {
  const client = new KeptAlive(ports.listen);
  expect(await client.get()).toEqual({ status: 200, connection: 'keep-alive' });
  const master = pidIn(old);
  const outcome = run(host, file, { ...proxy, ...params });
  // The drain lists the clients it waits for; an nginx stopped without one would close this connection instead.
  await until(() => awaited(old).includes(client.address));
  expect(alive(master)).toBe(true);
  expect(await client.get()).toEqual({ status: 200, connection: 'close' });
  await client.closed;
  const done = await outcome;
  if (!done.ok) throw new Error(done.refused.join('; '));
  expect(done.exitCode, done.stderr).toBe(0);
  expect(existsSync(`${old}.draining`)).toBe(false);
  return { master, message: String(done.summary?.message) };
}

/** After a hand-off or reload, the proxy on the port keeps connections alive again (its switch is off). */
async function expectKeptAlive(): Promise<void> {
  const client = new KeptAlive(ports.listen);
  expect(await client.get()).toEqual({ status: 200, connection: 'keep-alive' });
  expect(await client.get()).toEqual({ status: 200, connection: 'keep-alive' });
  client.end();
}

beforeAll(async () => {
  ports = {
    listen: await freePort(),
    service: await freePort(),
    canary: await freePort(),
    admin: await freePort(),
  };
  host = createHost('handoffs', ports.admin, { CA_MIRROR_PORT: String(ports.canary), FAKE_SERVICE_LOG: '0' });
  proxy = {
    Service: 'orders-api',
    ReleaseId: 'orders-api-r9',
    ProxyDriver: 'nginx',
    ListenPort: String(ports.listen),
    ServicePort: String(ports.service),
    ConnectTimeout: '5',
    ReadTimeout: '30',
    SendTimeout: '45',
  };
  runService(host, IMAGE, ports.service, '1.0.0');
  startStableNginx(host, loopbackStable(ports.listen, ports.service));
});

afterAll(() => destroyHost(host));

const mirror = (percent: string) => ({ MirrorHost: '127.0.0.1', MirrorPercent: percent });
const routing = (percent: string) => ({
  CanaryHost: '127.0.0.1',
  CanaryPercent: percent,
  StickyCookie: 'uid',
  TesterHeader: 'X-Canary',
  TesterValue: 'always',
  VipCookie: '',
  VipCookieValue: '',
  VipHeader: '',
  VipHeaderValue: '',
  TagHeader: 'x-canary-tag',
  TagValue: 'canary',
});

describe('hand-offs answer a kept-alive connection instead of closing it under a request', () => {
  it('nginx -> mirroring nginx', async () => {
    const { master } = await handOffWithIdleClient(host.nginxPid, 'start-mirror.yml', mirror('10'));
    await until(() => !alive(master));
    await expectKeptAlive();
  });

  it('mirroring nginx reload (a new share)', async () => {
    const file = pidFile('orders-api-mirror-nginx.pid');
    const { master } = await handOffWithIdleClient(file, 'start-mirror.yml', mirror('20'));
    expect(pidIn(file)).toBe(master);
    await expectKeptAlive();
  });

  it('mirroring nginx -> nginx', async () => {
    const file = pidFile('orders-api-mirror-nginx.pid');
    const { master } = await handOffWithIdleClient(file, 'stop-mirror.yml', {});
    expect(alive(master)).toBe(false);
    await expectKeptAlive();
  });

  it('nginx -> routing nginx', async () => {
    const { master } = await handOffWithIdleClient(host.nginxPid, 'shift-traffic.yml', routing('10'));
    await until(() => !alive(master));
    await expectKeptAlive();
  });

  it('routing nginx reload (a new share)', async () => {
    const file = pidFile('orders-api-routing-nginx.pid');
    const { master, message } = await handOffWithIdleClient(file, 'shift-traffic.yml', routing('25'));
    expect(pidIn(file)).toBe(master);
    expect(message).toMatch(/routing 25%/);
    await expectKeptAlive();
  });

  it('routing nginx -> nginx', async () => {
    const file = pidFile('orders-api-routing-nginx.pid');
    const { master } = await handOffWithIdleClient(file, 'stop-mirror.yml', {});
    expect(alive(master)).toBe(false);
    await expectKeptAlive();
  });
});

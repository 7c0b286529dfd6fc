import { Agent, createServer, request, type Server } from 'node:http';

/** Load for the routing tests: many real requests to a proxy on loopback, tallied by the version that answered. */
export interface Tally {
  readonly byVersion: Record<string, number>;
  readonly failed: number;
  readonly bodies: Array<{ version?: string; headers?: Record<string, string> }>;
}

/** `count` requests (over keep-alive connections unless told), `concurrency` at a time; `headers(i)` for request i. */
export async function send(
  port: number,
  count: number,
  headers: (i: number) => Record<string, string>,
  keepBodies = false,
  keepAlive = true,
  concurrency = 50,
): Promise<Tally> {
  const agent = new Agent({ keepAlive, maxSockets: concurrency });
  const byVersion: Record<string, number> = {};
  const bodies: Tally['bodies'] = [];
  let failed = 0;
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: `/orders/${i}`,
          // Without `Connection: close` Node's agent still reuses a socket for a queued request.
          headers: keepAlive ? headers(i) : { ...headers(i), connection: 'close' },
          agent,
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => {
            if (res.statusCode !== 200) {
              failed++;
              if (process.env.DEBUG_ROUTING) console.log('status', res.statusCode, text.slice(0, 80));
            }
            const body = JSON.parse(text) as Tally['bodies'][number];
            const version = body.version ?? '?';
            byVersion[version] = (byVersion[version] ?? 0) + 1;
            if (keepBodies) bodies.push(body);
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        if (process.env.DEBUG_ROUTING) console.log('error', error.message);
        failed++;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { byVersion, failed, bodies };
}

/** A canary that answers every request with `mode` (a status), or closes each connection without answering. */
export function failingCanary(port: number, mode: '502' | '503' | 'close'): Promise<Server> {
  const server = createServer((req, res) => {
    if (mode === 'close') {
      req.socket.destroy();
      return;
    }
    res.writeHead(Number(mode), { 'content-type': 'text/plain' }).end('canary failing\n');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

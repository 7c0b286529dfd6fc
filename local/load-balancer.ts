import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancerTarget {
  readonly host: string;
  readonly port: number;
}

export interface LoadBalancerOptions {
  readonly name: string;
  /** The targets (each host's proxy on loopback), read on every request so targets can change. */
  readonly targets: () => readonly LoadBalancerTarget[];
  /** Called with each response's status and the target that gave it, as an ELB's target metrics count it. */
  readonly onResponse?: (status: number, atMs: number, target?: LoadBalancerTarget) => void;
}

/**
 * A stand-in for an ELB on loopback: round-robin over the targets, trying the next one when a target refuses
 * the connection (as an ELB stops routing to an unhealthy target), 502 when none answers.
 */
export function loadBalancer(options: LoadBalancerOptions) {
  let next = 0;
  const counts = new Map<number, number>();
  let server: Server | undefined;

  function count(status: number, target?: LoadBalancerTarget): void {
    counts.set(status, (counts.get(status) ?? 0) + 1);
    options.onResponse?.(status, Date.now(), target);
  }

  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const targets = options.targets();
      const attempt = (tries: number) => {
        if (targets.length === 0 || tries >= targets.length) {
          count(502);
          res.writeHead(502, { 'content-type': 'text/plain' }).end(`${options.name}: no healthy target\n`);
          return;
        }
        const target = targets[next++ % targets.length] as LoadBalancerTarget;
        const upstream = request(
          {
            host: target.host,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, 'x-forwarded-for': '127.0.0.1' },
          },
          (response) => {
            count(response.statusCode ?? 502, target);
            res.writeHead(response.statusCode ?? 502, response.headers);
            response.pipe(res);
          },
        );
        upstream.on('error', () => attempt(tries + 1));
        upstream.end(body);
      };
      attempt(0);
    });
  });

  function port(): number {
    return (server?.address() as AddressInfo | null)?.port ?? 0;
  }

  return {
    counts: () => new Map(counts),
    port,
    async start(): Promise<number> {
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      return port();
    },
    async stop(): Promise<void> {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}

export type LoadBalancer = ReturnType<typeof loadBalancer>;

import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancerTarget {
  readonly host: string;
  readonly port: number;
}

/** One request as the load balancer saw it: what its access log and CloudWatch metrics are made of. */
export interface LoadBalancerRecord {
  /** When the request reached the load balancer, by the injected clock (the sandbox's skipping clock). */
  readonly atMs: number;
  /**
   * With a target: from sending the request to the target until its response headers arrived, as ALB's
   * TargetResponseTime measures it. Without one (no target answered): until the load balancer's own answer.
   */
  readonly latencyMs: number;
  readonly status: number;
  /** The target that answered; none when the load balancer answered itself (502, no healthy target). */
  readonly target?: LoadBalancerTarget;
}

export interface LoadBalancerOptions {
  readonly name: string;
  /** The targets (each host's proxy on loopback), read on every request so targets can change. */
  readonly targets: () => readonly LoadBalancerTarget[];
  /**
   * Called with each response's status, the real time (Date.now(): the local alarms evaluate in real time) and
   * the target that gave it, as an ELB's target metrics count it.
   */
  readonly onResponse?: (status: number, atMs: number, target?: LoadBalancerTarget) => void;
  /** The clock its records are stamped with (default Date.now); the sandbox passes its skipping clock's `nowMs`. */
  readonly now?: () => number;
  /** How many records it keeps, newest first to stay (default 50,000: over 20 minutes at 40 requests a second). */
  readonly maxRecords?: number;
  /**
   * While this says false, the load balancer drops every connection unanswered and records nothing: traffic
   * sent to it never arrives, as when the canary's ELB is not wired to the mirror (sandbox: a `-quiet` canary).
   */
  readonly reachable?: () => boolean;
}

/**
 * A stand-in for an ELB on loopback: round-robin over the targets, trying the next one when a target refuses
 * the connection (as an ELB stops routing to an unhealthy target), 502 when none answers. Records every request
 * it answers (`records()`), which the local CloudWatch stand-in turns into the ELB's metrics.
 */
export function loadBalancer(options: LoadBalancerOptions) {
  let next = 0;
  const counts = new Map<number, number>();
  const log = requestLog(options.maxRecords ?? 50_000);
  const now = options.now ?? Date.now;
  let server: Server | undefined;

  server = createServer((req, res) => {
    if (options.reachable?.() === false) {
      req.socket.destroy();
      return;
    }
    const arrivedAtMs = now();
    forward(
      req,
      res,
      options.name,
      options.targets(),
      () => next++,
      (status, sinceMs, target) => {
        counts.set(status, (counts.get(status) ?? 0) + 1);
        const latencyMs = performance.now() - sinceMs;
        log.add(
          target
            ? { atMs: arrivedAtMs, latencyMs, status, target }
            : { atMs: arrivedAtMs, latencyMs, status },
        );
        options.onResponse?.(status, Date.now(), target);
      },
    );
  });

  function port(): number {
    return (server?.address() as AddressInfo | null)?.port ?? 0;
  }

  return {
    counts: () => new Map(counts),
    /** The requests it answered, oldest first (at most `maxRecords` of the latest). */
    records: (): readonly LoadBalancerRecord[] => log.all(),
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

/**
 * Sends one request to the targets in turn from `pick()`, the next one when a target refuses the connection, and
 * answers 502 itself when none answers. `answered` gets the status, when the timing started (performance.now():
 * the successful attempt's send, or the arrival for its own answer) and the target that answered.
 */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  targets: readonly LoadBalancerTarget[],
  pick: () => number,
  answered: (status: number, sinceMs: number, target?: LoadBalancerTarget) => void,
): void {
  const arrived = performance.now();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const attempt = (tries: number) => {
      if (targets.length === 0 || tries >= targets.length) {
        answered(502, arrived);
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`${name}: no healthy target\n`);
        return;
      }
      const target = targets[pick() % targets.length] as LoadBalancerTarget;
      const sent = performance.now();
      const upstream = request(
        {
          host: target.host,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, 'x-forwarded-for': '127.0.0.1' },
        },
        (response) => {
          answered(response.statusCode ?? 502, sent, target);
          res.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(res);
        },
      );
      upstream.on('error', () => attempt(tries + 1));
      upstream.end(body);
    };
    attempt(0);
  });
}

/** The latest `max` records; trimmed in batches, so adding stays cheap and memory stays under twice `max`. */
function requestLog(max: number) {
  const records: LoadBalancerRecord[] = [];
  return {
    add(record: LoadBalancerRecord): void {
      records.push(record);
      if (records.length >= 2 * max) records.splice(0, records.length - max);
    },
    all: (): readonly LoadBalancerRecord[] => (records.length > max ? records.slice(-max) : [...records]),
  };
}

export type LoadBalancer = ReturnType<typeof loadBalancer>;

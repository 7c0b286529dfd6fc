import { request } from 'node:http';

export interface TrafficSummary {
  readonly sent: number;
  readonly byStatus: ReadonlyMap<number, number>;
  readonly byVersion: ReadonlyMap<string, number>;
}

/**
 * Background traffic for the sandbox: `ratePerSecond` GET requests to the stable load balancer, recording each
 * response's status and the `x-service-version` header the demo service sets. Stops when told to.
 */
export function backgroundTraffic(port: () => number, ratePerSecond: number, path = '/orders/42') {
  let sent = 0;
  const byStatus = new Map<number, number>();
  const byVersion = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  function once(): void {
    sent++;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    }).finally(() => inFlight.delete(finished));
    inFlight.add(finished);
    const req = request(
      { host: '127.0.0.1', port: port(), path, headers: { cookie: `uid=u${sent % 500}` } },
      (res) => {
        byStatus.set(res.statusCode ?? 0, (byStatus.get(res.statusCode ?? 0) ?? 0) + 1);
        const version = String(res.headers['x-service-version'] ?? 'unknown');
        byVersion.set(version, (byVersion.get(version) ?? 0) + 1);
        res.resume();
        res.on('end', done);
      },
    );
    req.on('error', () => {
      byStatus.set(0, (byStatus.get(0) ?? 0) + 1);
      done();
    });
    req.end();
  }

  return {
    start(): void {
      timer ??= setInterval(once, Math.max(1, Math.round(1000 / ratePerSecond)));
    },
    /** Stops sending and waits for the requests still in flight. */
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await Promise.allSettled([...inFlight]);
    },
    summary: (): TrafficSummary => ({ sent, byStatus: new Map(byStatus), byVersion: new Map(byVersion) }),
  };
}

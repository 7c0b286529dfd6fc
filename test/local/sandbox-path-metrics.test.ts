import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPathCounts } from '../../adapters/cloudwatch-path-counts';
import { cloudWatchStandin } from '../../local/cloudwatch-standin';
import { pathCountSources } from '../../local/sandbox-path-metrics';

/*
 * The sandbox's path metrics end to end but for nginx: canary log lines on two services' hosts, shipped by the
 * poll as an agent would, read back by the agent's own `readPathCounts` through the real CloudWatchClient.
 */
const dir = mkdtempSync(join(tmpdir(), 'ca-path-metrics-'));
const T0 = Date.parse('2026-12-04T10:00:00.000Z');
let now = T0;

function host(id: string, fleet: 'stable' | 'canary' | 'blue') {
  const root = join(dir, id);
  return { id, fleet, root };
}
const front = [host('front-1', 'stable'), host('front-canary', 'canary')];
const payments = [host('payments-1', 'blue'), host('payments-2', 'blue')];
const log = (h: { root: string }, service: string, ...tagged: (0 | 1)[]) => {
  mkdirSync(join(h.root, 'state', service), { recursive: true });
  const lines = tagged.map(
    (t) => `2026-12-04T10:00:00+00:00 200 "127.0.0.1:8081" "200" 0.002 "GET /" tagged=${t}\n`,
  );
  appendFileSync(join(h.root, 'state', service, 'routing-canary.log'), lines.join(''));
};

const paths = pathCountSources(
  [
    { service: 'front', hosts: () => front },
    { service: 'payments', hosts: () => payments },
  ],
  () => now,
);
const standin = cloudWatchStandin({ sources: paths.sources });
beforeAll(() => standin.start());
afterAll(async () => {
  await standin.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the sandbox path metrics', () => {
  it('counts each service’s canary log lines in the period they were shipped in, and only its routing hosts’', async () => {
    const [frontStable, frontCanary] = front as [(typeof front)[0], (typeof front)[0]];
    const [p1, p2] = payments as [(typeof payments)[0], (typeof payments)[0]];
    // Shipped before the release's span began: not the release's.
    log(p1, 'payments', 0, 0);
    paths.poll();
    now = T0 + 120_000;
    log(frontStable, 'front', 0, 0, 0);
    log(frontCanary, 'front', 1); // a canary host runs no routing proxy: never read
    log(p1, 'payments', 1, 1);
    log(p2, 'payments', 1);
    paths.poll();
    now = T0 + 150_000;
    log(p2, 'payments', 1);
    paths.poll();

    const span = { from: new Date(T0 + 60_000).toISOString(), to: new Date(T0 + 180_000).toISOString() };
    expect(await readPathCounts(standin.client(), ['front', 'payments', 'ledger'], span)).toEqual({
      front: { tagged: 0, untagged: 3 },
      payments: { tagged: 4, untagged: 0 },
      ledger: { tagged: 0, untagged: 0 },
    });
  });
});

import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type PathCounts, pathLogTail } from '../../local/path-log';

const dir = mkdtempSync(join(tmpdir(), 'ca-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// As the routing nginx writes them, and as the routing Envoy does.
const nginxLine = (tagged: 0 | 1) =>
  `2026-12-06T10:00:00+00:00 200 "127.0.0.1:8081" "200" 0.002 "GET /orders/1?x=tagged=1" tagged=${tagged}\n`;
const envoyLine = (tagged: 0 | 1) =>
  `2026-12-06T10:00:00+0000 200 "10.0.3.7:80" 1 2 "GET /orders/1" tagged=${tagged}\n`;

describe('the path log tail (the sandbox stand-in for the path metrics)', () => {
  it('counts the requests that reached the canary tagged and untagged, each complete line once, across hosts', () => {
    const [a, b] = [join(dir, 'a.log'), join(dir, 'b.log')];
    const reported: PathCounts[] = [];
    const tail = pathLogTail(
      () => [a, b],
      (counts) => reported.push(counts),
    );

    expect(tail.poll()).toEqual({ tagged: 0, untagged: 0 });
    appendFileSync(a, `${nginxLine(1).repeat(3)}${nginxLine(0)}`);
    appendFileSync(b, `${envoyLine(0)}${envoyLine(1).slice(0, 30)}`);
    const first = tail.poll();
    appendFileSync(b, envoyLine(1).slice(30));
    // A line from before the mark existed counts as neither.
    appendFileSync(a, '2026-12-06T10:00:00+00:00 200 "127.0.0.1:8081" "200" 0.002 "GET /orders/1"\n');
    const second = tail.poll();
    const third = tail.poll();

    expect([first, second, third]).toEqual([
      { tagged: 3, untagged: 2 },
      { tagged: 1, untagged: 0 },
      { tagged: 0, untagged: 0 },
    ]);
    expect(reported).toEqual([first, second]);
  });
});

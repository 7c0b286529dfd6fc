import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failoverLogTail } from '../../local/failover-log';

const dir = mkdtempSync(join(tmpdir(), 'ca-failover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the failover log tail (the sandbox stand-in for a host metric)', () => {
  it('counts each complete line once, across hosts, and waits for a line still being written', () => {
    const [a, b] = [join(dir, 'a.log'), join(dir, 'b.log')];
    const counted: number[] = [];
    const tail = failoverLogTail(
      () => [a, b],
      (count) => counted.push(count),
    );
    const line = '2026-12-04T16:00:00+00:00 200 "127.0.0.1:8080" "200" 0.001 "GET /orders/1"\n';

    tail.poll();
    appendFileSync(a, line.repeat(3));
    appendFileSync(b, `${line}${line.slice(0, 20)}`);
    tail.poll();
    appendFileSync(b, line.slice(20));
    tail.poll();
    tail.poll();

    expect(counted).toEqual([3, 1, 1]);
  });
});

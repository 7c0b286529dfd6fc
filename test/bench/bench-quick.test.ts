import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `npm run bench -- --quick` from the repository, as a developer runs it: the bench is code that no other test
 * runs, so without this it rots (it once crashed on a vitest import, and printed "(undefined)" with zero calls).
 */
describe('npm run bench -- --quick', () => {
  it('runs every block to the end and prints a figure wherever a figure belongs', async () => {
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      ['bench/run.ts', '--quick'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 240_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );

    expect(stdout.match(/^## .+$/gm)).toEqual([
      '## aws',
      '## judge',
      '## promotion',
      '## proxy-handoff',
      '## sandbox',
      '## scale',
    ]);
    expect(stdout).not.toMatch(/undefined|NaN/);
    expect(stdout).toMatch(/\| slack +\| \d+ KB +\| (yes|NO) +\| \d+ ms +\| [\d.]+x/);
    expect(stdout.match(/release: .+ \(succeeded\):/g)).toHaveLength(2);
    expect(stdout).toMatch(/\| elasticloadbalancing:ModifyListener +\| 1 +\|/);
    expect(stdout).toMatch(/\| routing nginx reload \(10% -> 25%\) \| keep-alive \| \d+ \| \d+ \| \d+ ms \|/);
    expect(stdout).toMatch(
      /\| 1 of 2 \(i-\w+, [\d.]+ -> [\d.]+\) \| yes \| \d+ \| 0 \| \d+ ms \| promoted \|/,
    );
    expect(stdout).toMatch(/\| judge, 2 × 10000 samples \+ 1 ratio \| median [\d.]+ ms \| p95 [\d.]+ ms \|/);
    expect(stdout).toMatch(/alarm-to-rollback .+ \| min \d+ ms, median \d+ ms, max \d+ ms \|/);
    expect(stdout).toMatch(/\| ssm:SendCommand +\| \d+ +\| [\d.]+ +\| \d+ +\| \d+ +\|/);
    expect(stdout).toMatch(/alarm -> first rollback SendCommand, all +\| p50 [\d,]+ ms, p99 [\d,]+ ms/);
    expect(stdout).toMatch(/Cost per release at this scale \(\d+ releases started/);
  }, 300_000);
});

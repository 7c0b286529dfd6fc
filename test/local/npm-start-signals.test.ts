import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes still in process group `group`, or whose command line names `text`: what a sandbox left behind. */
function leftBehind(group: number, text: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (state !== 'Z' && (Number(pgrp) === group || command.includes(text)))
        found.push({ pid: Number(pid), command });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** `npm start` in its own process group, as in a terminal; resolves with its sandbox directory once it is up. */
async function startNpm(): Promise<{ npm: ChildProcess; dir: string; output: () => string }> {
  const npm = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, CANARY_CONSOLE_PORT: '0' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const dir = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox did not come up:\n${output}`)), 90_000);
    npm.stdout?.on('data', (chunk) => {
      output += chunk;
      const up = output.match(/state and logs in (\S+)\)/);
      if (up?.[1]) {
        clearTimeout(timer);
        resolve(up[1]);
      }
    });
  });
  return { npm, dir, output: () => output };
}

/** After a failure: Ctrl-C to the whole group as a terminal sends it, then SIGKILL to whatever still runs. */
async function cleanUp(npm: ChildProcess, dir: string): Promise<void> {
  const group = npm.pid as number;
  if (leftBehind(group, dir).length === 0) return;
  try {
    process.kill(-group, 'SIGINT');
  } catch {
    // The group is gone already.
  }
  await sleep(20_000);
  for (const { pid } of leftBehind(group, dir)) process.kill(pid, 'SIGKILL');
}

describe('npm start', () => {
  it('stops the sandbox and every process it started on a SIGINT to the npm process alone', async () => {
    // Prepare
    const { npm, dir, output } = await startNpm();
    const exited = once(npm, 'exit').then(() => true);
    try {
      expect(leftBehind(npm.pid as number, dir).some((p) => p.command.includes('nginx'))).toBe(true);

      // Act
      process.kill(npm.pid as number, 'SIGINT');

      // Assess
      expect(await Promise.race([exited, sleep(30_000).then(() => false)]), 'npm exited').toBe(true);
      expect(output()).toContain('Stopped: no process left behind.');
      expect(leftBehind(npm.pid as number, dir)).toEqual([]);
    } finally {
      await cleanUp(npm, dir);
    }
  }, 180_000);
});

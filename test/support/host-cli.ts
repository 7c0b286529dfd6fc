import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** What `hosts/cli.ts` printed and, when it failed, its exit code. */
export interface CliRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code?: number;
}

/**
 * Runs `hosts/cli.ts` in a fresh Node process with tsx's loader, as `npx tsx hosts/cli.ts …` does, but without npx:
 * npx starts npm first, which cost about 2.5 s per run on a busy 2-core machine.
 */
export function hostCli(...args: string[]): Promise<CliRun> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'hosts/cli.ts', ...args], {
    encoding: 'utf8',
  }).catch((error: CliRun) => error);
}

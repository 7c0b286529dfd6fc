/**
 * `npm run bench -- scale`: 200 services on 5,000 hosts, 50 releases at once through the real Lambda handlers over
 * DynamoDB Local, a simulated fleet, an alarm storm and the sweeper (bench/scale-scenario.ts); prints AWS and Slack
 * calls per simulated minute against their quotas, alarm-to-rollback time, storage and cost per release.
 *
 * It runs in a process of its own (bench/scale-sim.ts): the simulation moves `Date` forward and builds the
 * handlers' clients from its own environment, which must not leak into the other benches of the same run.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export default async function run(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'scale-sim.ts')], {
    cwd: join(here, '..'),
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the scale simulation exited with ${code}`);
}

/**
 * The sandbox's alarm-to-rollback time: from the canary alarm's state change event to every stable host serving
 * through its own nginx again (the mirroring proxy gone), over real nginx hosts on loopback. Target: < 2 s.
 */
import { rmSync } from 'node:fs';
import { type Sandbox, sandboxDir, startSandbox } from '../local/sandbox';
import { backgroundTraffic } from '../local/traffic';
import { count } from './quick';

const RUNS = count(3, 1);

async function once(sandbox: Sandbox, version: string): Promise<number> {
  // Each run starts from a quiet alarm, as a real release would (the previous canary is gone by then).
  while (sandbox.alarmState() !== 'OK') await new Promise((resolve) => setTimeout(resolve, 100));
  sandbox.fleet.markFaulty(version);
  const started = await sandbox.service.start({
    service: 'orders-api',
    toVersion: version,
    requestedBy: { kind: 'person', id: 'UANA0SANDBOX' },
  });
  if (!started.ok) throw new Error(started.message);
  const before = sandbox.alarmFiredAt();
  await sandbox.waitFor(
    started.release.id,
    (r) => r.rollback !== undefined && !r.exposure.includes('stableProxied'),
  );
  const restoredAt = Date.now();
  const firedAt = sandbox.alarmFiredAt();
  if (firedAt === undefined || firedAt === before) throw new Error('the alarm did not fire');
  if (!sandbox.fleet.stableOnOwnNginx()) throw new Error('a stable host still runs the mirroring proxy');
  await sandbox.waitFor(started.release.id, (r) => r.state === 'rolledBack');
  return restoredAt - firedAt;
}

export default async function bench(): Promise<void> {
  const dir = sandboxDir();
  const sandbox = await startSandbox({ dir, speedUp: 20 });
  const traffic = backgroundTraffic(() => sandbox.fleet.stableLb.port(), 40);
  traffic.start();
  const times: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) times.push(await once(sandbox, `1.5.${i}`));
  } finally {
    await traffic.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log('| measure | value |\n| --- | --- |');
  console.log(
    `| alarm-to-rollback (alarm event -> every stable host on its own nginx), ${RUNS} runs | min ${sorted[0]} ms, median ${sorted[Math.floor(RUNS / 2)]} ms, max ${sorted[RUNS - 1]} ms |`,
  );
  console.log(`| target | < 2000 ms: ${sorted.every((t) => t < 2000) ? 'met' : 'MISSED'} |`);
}

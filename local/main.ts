/**
 * `npm start`: runs the release engine on embedded local defaults (in-memory state, a simulated fleet and
 * alarms), two releases in a row: a healthy one that is approved and succeeds, and a faulty one whose canary
 * fires its 5XX alarm so that the agent rolls back on its own. No AWS account, no Slack workspace.
 */
import { randomUUID } from 'node:crypto';
import { memoryReleaseStore } from '../adapters/memory-release-store';
import { UnknownReleaseError } from '../app/errors';
import { releaseService } from '../app/release-service';
import { serviceConfigSchema } from '../domain/service-config';
import type { Release } from '../domain/types';
import { consoleNotifier, simulatedWorld } from './simulated-world';

const config = serviceConfigSchema.parse({
  service: 'orders-api',
  image: { repository: 'registry.local/orders-api', containerPort: 8080 },
  fleets: { stable: { tags: { fleet: 'orders-stable' } }, canary: { tags: { fleet: 'orders-canary' } } },
  canaryStack: { elbHost: 'orders-canary.local' },
  mirror: { readOnlyAcknowledgedBy: 'sandbox', defaultPercent: 10 },
  validation: { defaultWindowSeconds: 300 },
  alarms: { canary: ['orders-api-canary-5xx'], stable: ['orders-api-stable-health'] },
  approvals: { users: ['UAPPROVER'] },
  slack: { channel: 'CSANDBOX' },
});

let faulty = false;
let startedAt = Date.now();
const versions = new Map([['orders-api', '1.4.1']]);
const store = memoryReleaseStore();
const world = simulatedWorld(
  {
    hosts: ['i-0000000000000001a', 'i-0000000000000002b'],
    operationMs: 20,
    msPerSecond: 1,
    faultyCanary: () => faulty,
    canaryAlarm: 'orders-api-canary-5xx',
  },
  async (to, event) => {
    // Like Lambda's retries of an asynchronous event: a result can beat the write that records its command id.
    for (let attempt = 1; ; attempt++) {
      try {
        if (to.commandId) await service.applyToCommand(to.commandId, event);
        else if (to.releaseId) await service.apply(to.releaseId, event);
        return;
      } catch (error) {
        if (!(error instanceof UnknownReleaseError) || attempt === 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  },
);
const service = releaseService({
  store,
  ...world,
  notifier: consoleNotifier(
    (line) => console.log(line),
    () => startedAt,
  ),
  versions: {
    current: async (s) => versions.get(s) ?? null,
    record: async (s, v) => void versions.set(s, v),
  },
  configs: { get: async (name) => (name === config.service ? { ok: true, config } : null) },
  clock: { now: () => new Date().toISOString() },
  ids: { releaseId: (s, now) => `${s}-${now.replace(/\D/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}` },
});

async function settle(releaseId: string, until: (r: Release) => boolean): Promise<Release> {
  for (;;) {
    const release = await store.load(releaseId);
    if (release && until(release)) return release;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function release(toVersion: string, approve: boolean): Promise<Release> {
  startedAt = Date.now();
  const started = await service.start({
    service: 'orders-api',
    toVersion,
    requestedBy: { kind: 'person', id: 'UREQUESTER' },
  });
  if (!started.ok) throw new Error(started.message);
  const waiting = await settle(
    started.release.id,
    (r) => r.state === 'awaitingApproval' || r.state === 'rolledBack' || r.state === 'rollingBack',
  );
  if (approve && waiting.state === 'awaitingApproval') {
    await service.apply(started.release.id, { kind: 'approved', actor: { kind: 'person', id: 'UAPPROVER' } });
  }
  return settle(
    started.release.id,
    (r) => r.state === 'succeeded' || r.state === 'rolledBack' || r.state === 'rollbackFailed',
  );
}

console.log('Canary Agent, local run (simulated fleet; the validation window runs at 1 ms per second)\n');
console.log('1) orders-api 1.4.1 -> 1.4.2, healthy canary');
const healthy = await release('1.4.2', true);
console.log(`\n2) orders-api ${versions.get('orders-api')} -> 1.4.3, canary answers 5XX`);
faulty = true;
const broken = await release('1.4.3', true);
console.log(
  `\nResult: ${healthy.state} then ${broken.state}; orders-api now runs ${versions.get('orders-api')}.`,
);
process.exitCode = healthy.state === 'succeeded' && broken.state === 'rolledBack' ? 0 : 1;

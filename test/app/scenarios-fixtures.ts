import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import type { harness } from '../support/harness';

/** What the mirror-release scenarios share: the actors, and a harness driven to a started or approvable release. */

export const requester = { kind: 'person', id: REQUESTER } as const;
export const approver = { kind: 'person', id: APPROVER } as const;

export type Harness = ReturnType<typeof harness>;

export async function startOrders(h: Harness) {
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
  });
  if (!started.ok) throw new Error(started.message);
  return started.release.id;
}

export async function toApproval(h: Harness, id: string) {
  await h.finishCommand('deployCanary');
  await h.finishCommand('startMirror');
  await h.elapseWindow(id);
}

export function operations(h: Harness) {
  return h.commands.map((c) => c.operation.operation);
}

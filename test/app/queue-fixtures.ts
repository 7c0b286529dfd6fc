import type { StrategyChoice } from '../../domain/release-request';
import type { Actor } from '../../domain/types';
import { approver, type Harness, requester, startOrders, toApproval } from './scenarios-fixtures';

/** What the queue scenarios share: a running release, a start queued behind it, and ways for it to end. */

export { approver, requester };

/** Starts orders-api 1.4.2, then asks for `toVersion` while it runs: the second start is queued. */
export async function runningWithQueued(
  h: Harness,
  toVersion = '1.4.3',
  by: Actor = approver,
  strategy: StrategyChoice = { kind: 'steps', steps: [10, 100] },
) {
  const running = await startOrders(h);
  const answer = await h.service.start({
    service: 'orders-api',
    toVersion,
    requestedBy: by,
    strategy,
    windowSeconds: 600,
    requestId: `slack:queue-${toVersion}`,
  });
  if (answer.ok) throw new Error(`started at once as ${answer.release.id}`);
  if (answer.reason !== 'queued') throw new Error(`not queued: ${answer.message}`);
  return { running, answer, queued: answer.queued };
}

/** Plays the running mirror release up to its clean-up: the window passes, an approver promotes. */
export async function toCleanUp(h: Harness, id: string) {
  await toApproval(h, id);
  await h.service.apply(id, { kind: 'approved', actor: approver });
  await h.finishCommand('stopMirror');
  await h.finishCommand('promote');
}

/** Plays the running mirror release to `succeeded`. */
export async function succeed(h: Harness, id: string) {
  await toCleanUp(h, id);
  return h.finishCommand('removeCanary');
}

/** Aborts the running mirror release once the canary takes traffic, and plays the rollback to `rolledBack`. */
export async function rollBack(h: Harness, id: string) {
  await h.finishCommand('deployCanary');
  await h.finishCommand('startMirror');
  await h.service.apply(id, { kind: 'abortRequested', actor: requester });
  await h.finishCommand('stopMirror');
  return h.finishCommand('removeCanary');
}

/** The releases of orders-api other than `id`, with their versions: what the queue started. */
export async function othersThan(h: Harness, id: string) {
  return (await h.store.recentReleases('orders-api', 10)).filter((r) => r.id !== id);
}

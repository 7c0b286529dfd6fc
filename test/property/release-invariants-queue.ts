import { expect } from 'vitest';
import { isTerminal } from '../../domain/policies';
import type { StrategyChoice } from '../../domain/release-request';
import type { Release } from '../../domain/types';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import type { harness } from '../support/harness';

/*
 * The start queue in the model: people ask for starts while a release runs (queued, or replacing the queued one),
 * cancel them, freeze the service; the world's ends, redeliveries, races and sweeps move the queue on. After every
 * step: a queued start never starts while another release holds the service, never after a failed rollback that
 * no person retried, never twice, and never once replaced or cancelled; and none waits on a free service.
 */

const SERVICE = 'orders-api';
/** The model's approvers: they, and whoever queued it, may cancel a queued start. */
const APPROVERS: readonly string[] = [APPROVER, REQUESTER];

export function queueWorld(h: ReturnType<typeof harness>, strategy: StrategyChoice | undefined) {
  /** Each queued start's reserved release id, and the release it waited for. */
  const behindOf = new Map<string, string>();
  /** Reserved ids of starts replaced or cancelled: no release may ever have one. */
  const gone = new Set<string>();
  /** Releases started at once (not from the queue). */
  const direct = new Set<string>();
  /** Releases from the queue, already checked when they first appeared. */
  const checked = new Set<string>();
  let frozen = false;
  let versions = 0;

  /** A start by `who`: the id of the release it started, if it started one. */
  async function start(who: string, listenerMovedByHand: () => boolean): Promise<string | undefined> {
    const result = await h.service.start({
      service: SERVICE,
      toVersion: `1.6.${versions++}`,
      requestedBy: { kind: 'person', id: who },
      ...(strategy ? { strategy } : {}),
    });
    if (result.ok) {
      if (!behindOf.has(result.release.id)) direct.add(result.release.id);
      return result.release.id;
    }
    if (result.reason === 'queued') {
      behindOf.set(result.queued.releaseId, result.queued.behind);
      if (result.replaced) gone.add(result.replaced.releaseId);
      return undefined;
    }
    // A start is refused only by a freeze, or by a listener a person pointed elsewhere; never for being busy.
    if (result.reason === 'frozen') expect(frozen).toBe(true);
    else expect([result.reason, listenerMovedByHand()]).toEqual(['listener-not-blue-or-green', true]);
    return undefined;
  }

  async function cancel(who: string): Promise<void> {
    const result = await h.service.cancelQueued({ service: SERVICE, actor: { kind: 'person', id: who } });
    if (result.ok) {
      expect([...APPROVERS, result.queued.requestedBy.id]).toContain(who);
      gone.add(result.queued.releaseId);
    } else if (result.reason === 'not-authorized') {
      expect([...APPROVERS, result.queued.requestedBy.id]).not.toContain(who);
    }
  }

  async function freeze(on: boolean): Promise<void> {
    frozen = on;
    if (on) await h.store.freeze({ scope: SERVICE, by: { kind: 'person', id: APPROVER }, at: h.now() });
    else await h.store.unfreeze(SERVICE);
  }

  /** The invariants of the queue, after every step. */
  async function check(releases: readonly Release[]): Promise<void> {
    for (const release of releases) {
      expect(gone.has(release.id), `${release.id} was replaced or cancelled`).toBe(false);
      expect(direct.has(release.id) || behindOf.has(release.id), `${release.id} came from nowhere`).toBe(
        true,
      );
      if (!behindOf.has(release.id) || checked.has(release.id)) continue;
      checked.add(release.id);
      // Just started from the queue: every other release has ended, the one it waited for among them.
      for (const other of releases) if (other.id !== release.id) expect(isTerminal(other.state)).toBe(true);
      const before = behindOf.get(release.id) as string;
      const history = await h.store.history(before);
      const failed = history.findLastIndex((entry) => entry.to === 'rollbackFailed');
      if (failed >= 0) {
        const retried = history
          .slice(failed + 1)
          .some((entry) => entry.cause === 'rollbackRetried' && entry.actor.kind === 'person');
        expect(retried, `started after ${before}'s failed rollback with no person`).toBe(true);
      }
    }
  }

  /**
   * Once every delivery of a step has been handled, a queued start never waits on a free service: whoever saved the
   * end started it (or dropped it, refused), or the queueing itself found the service free.
   */
  async function settled(): Promise<void> {
    if ((await h.store.queuedStart(SERVICE)) === null) return;
    expect(await h.store.activeReleaseId(SERVICE), 'a queued start waits on a free service').not.toBeNull();
  }

  return { start, cancel, freeze, check, settled };
}

import type { People } from '../domain/access';
import type { ReleaseStore, ServiceConfigs } from '../domain/ports';
import { checkListEntry } from '../domain/routing-list-entries';
import type { ListChangeHandOff, RoutingListStore } from '../domain/routing-list-ports';
import {
  changeList,
  type ListChange,
  listChangeRefusal,
  listEditors,
  type RoutingLists,
  routingStep,
} from '../domain/routing-lists';
import type { Actor } from '../domain/types';

export interface ListRequestDeps {
  readonly configs: ServiceConfigs;
  readonly lists: Pick<RoutingListStore, 'read'>;
  readonly store: Pick<ReleaseStore, 'activeReleaseId' | 'load'>;
  readonly handOff: ListChangeHandOff;
}

export type ListRequestResult =
  | {
      readonly ok: true;
      /** False when the list already was as asked (nothing handed on). */
      readonly changed: boolean;
      /** The id of a steps release routing users now: its stable hosts get the lists at once. */
      readonly routingRelease: string | null;
    }
  | { readonly ok: false; readonly reason: 'unknown-service' | 'invalid-config' }
  | { readonly ok: false; readonly reason: 'not-authorized'; readonly allowed: People }
  | { readonly ok: false; readonly reason: 'bad-entry'; readonly problem: string }
  | { readonly ok: false; readonly reason: 'list-full'; readonly chars: number };

export type ListShowResult =
  | { readonly ok: true; readonly lists: RoutingLists; readonly routingRelease: string | null }
  | { readonly ok: false; readonly reason: 'unknown-service' };

/**
 * The Slack function's side of the live routing lists: it checks and hands on, and writes nothing (its role may
 * not: docs/security.md). The `effects` function writes the list and updates the hosts (routing-list-effects.ts).
 *
 * A change, step by step:
 * 1. The service must be configured, with a configuration that parses (its approvers are who may change it).
 * 2. Only its approvers may change its lists (groups resolved at the edge, see `editors`).
 * 3. The entry is checked against the strict patterns again, then against the list as stored now: an entry
 *    already there (or absent, for a removal) changes nothing, and a list that would be full is refused.
 * 4. The change is handed to the `effects` function, which applies it to the list as stored when it runs.
 */
export function routingListRequests(deps: ListRequestDeps) {
  /** Who may change the lists of `service`, so the edge knows which user groups to resolve. */
  async function editors(service: string): Promise<People | null> {
    const found = await deps.configs.get(service);
    return found?.ok ? listEditors(found.config) : null;
  }

  async function request(change: ListChange, actor: Actor): Promise<ListRequestResult> {
    const found = await deps.configs.get(change.service);
    if (found === null) return { ok: false, reason: 'unknown-service' };
    if (!found.ok) return { ok: false, reason: 'invalid-config' };
    if (listChangeRefusal(found.config, actor) !== null)
      return { ok: false, reason: 'not-authorized', allowed: listEditors(found.config) };
    const checked = checkListEntry(change.entry);
    if (!checked.ok) return { ok: false, reason: 'bad-entry', problem: checked.problem };
    const [lists, routingRelease] = await Promise.all([
      deps.lists.read(change.service),
      routingReleaseOf(change.service),
    ]);
    const update = changeList(lists[change.list].entries, change);
    if (!update.ok) return update;
    if (update.changed) await deps.handOff.handOff(change);
    return { ok: true, changed: update.changed, routingRelease };
  }

  async function show(service: string): Promise<ListShowResult> {
    if (!(await deps.configs.exists(service))) return { ok: false, reason: 'unknown-service' };
    const [lists, routingRelease] = await Promise.all([deps.lists.read(service), routingReleaseOf(service)]);
    return { ok: true, lists, routingRelease };
  }

  async function routingReleaseOf(service: string): Promise<string | null> {
    const releaseId = await deps.store.activeReleaseId(service);
    const release = releaseId === null ? null : await deps.store.load(releaseId);
    return routingStep(release) === null ? null : (releaseId as string);
  }

  return { editors, request, show };
}

export type RoutingListRequests = ReturnType<typeof routingListRequests>;

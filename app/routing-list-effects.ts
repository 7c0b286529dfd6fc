import { isServiceName } from '../domain/patterns';
import type { FleetOperator, ReleaseStore } from '../domain/ports';
import { checkListEntry } from '../domain/routing-list-entries';
import type { RoutingListHosts, RoutingListStore } from '../domain/routing-list-ports';
import {
  applyListParameters,
  changeList,
  type ListChange,
  type ListUpdate,
  listParameters,
  type RoutingLists,
  routingStep,
} from '../domain/routing-lists';

export interface ListEffectDeps {
  readonly lists: RoutingListStore;
  readonly hosts: RoutingListHosts;
  readonly store: Pick<ReleaseStore, 'activeReleaseId' | 'load'>;
}

export type ListApplied =
  | {
      readonly ok: true;
      readonly update: ListUpdate;
      /** The release whose stable hosts were sent the lists, and the command that carries them. */
      readonly sent: { readonly releaseId: string; readonly commandId: string } | null;
    }
  | { readonly ok: false; readonly reason: 'bad-change'; readonly problem: string };

/**
 * The `effects` function's side of a change of the live routing lists (handed on by the Slack function).
 *
 * 1. Check the change again: it crossed a process boundary.
 * 2. Apply it to the list as stored now (the store keeps a change that raced it, see RoutingListStore).
 * 3. If a steps release of the service routes users now, send both lists to its stable fleet with the apply
 *    document: the routing proxy there takes them without a restart. A rerun (Lambda retries a failed
 *    invocation) finds the list already changed and sends it again: a host that has the lists changes nothing.
 *
 * A release that shifts traffic later reads the lists when it sends each step (`fleetWithRoutingLists`).
 */
export function routingListEffects(deps: ListEffectDeps) {
  async function apply(change: ListChange): Promise<ListApplied> {
    const checked = checkListEntry(change.entry);
    if (!checked.ok) return { ok: false, reason: 'bad-change', problem: checked.problem };
    if (!isServiceName(change.service)) return { ok: false, reason: 'bad-change', problem: 'not a service' };
    const note = `${change.by} ${change.action === 'add' ? 'added' : 'removed'} ${change.entry}`;
    const { update, stored } = await deps.lists.update(
      change.service,
      change.list,
      (entries) => changeList(entries, change),
      note,
    );
    const releaseId = await deps.store.activeReleaseId(change.service);
    const release = releaseId === null ? null : await deps.store.load(releaseId);
    const step = routingStep(release);
    if (step === null || releaseId === null) return { ok: true, update, sent: null };
    // The other list as stored now; the changed one as just written (a read may not see the write yet).
    const read = await deps.lists.read(change.service);
    const newer = stored.version >= read[change.list].version ? stored : read[change.list];
    const lists: RoutingLists = { ...read, [change.list]: newer };
    const { commandId } = await deps.hosts.apply({
      releaseId,
      targets: step.targets,
      parameters: applyListParameters(step, lists),
    });
    return { ok: true, update, sent: { releaseId, commandId } };
  }

  return { apply };
}

export type RoutingListEffects = ReturnType<typeof routingListEffects>;

/**
 * Every shift of traffic carries the lists as they are stored when it is sent, not as they were when the release
 * started: the plan holds empty placeholders (domain/operation-parameters.ts) that this fills in.
 */
export function fleetWithRoutingLists(
  fleet: FleetOperator,
  lists: Pick<RoutingListStore, 'read'>,
): FleetOperator {
  return {
    cancel: (commandId) => fleet.cancel(commandId),
    output: (commandId, hostId) => fleet.output(commandId, hostId),
    async run(releaseId, operation) {
      const service = operation.parameters.Service;
      if (operation.operation !== 'shiftTraffic' || !('VipList' in operation.parameters) || !service)
        return fleet.run(releaseId, operation);
      const current = listParameters(await lists.read(service));
      return fleet.run(releaseId, { ...operation, parameters: { ...operation.parameters, ...current } });
    },
  };
}

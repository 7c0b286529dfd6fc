import { memoryRoutingLists } from '../../adapters/memory-routing-lists';
import { routingListRequests } from '../../app/routing-list-requests';
import type { ReleaseStore, ServiceConfigs } from '../../domain/ports';
import type { ListChange } from '../../domain/routing-lists';

/**
 * The Slack side of the live routing lists for tests about other commands: lists in memory, changes recorded
 * where the Lambda composition hands them to the `effects` function.
 */
export function listRequestsFor(deps: { readonly configs: ServiceConfigs; readonly store: ReleaseStore }) {
  const handedOff: ListChange[] = [];
  const lists = memoryRoutingLists();
  return Object.assign(
    routingListRequests({
      ...deps,
      lists,
      handOff: { handOff: async (change) => void handedOff.push(change) },
    }),
    { handedOff, stored: lists },
  );
}

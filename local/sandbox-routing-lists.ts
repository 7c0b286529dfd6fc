import { randomUUID } from 'node:crypto';
import { listChangePending } from '../adapters/internal-events';
import { memoryRoutingLists } from '../adapters/memory-routing-lists';
import { routingListEffects } from '../app/routing-list-effects';
import { routingListRequests } from '../app/routing-list-requests';
import type { ReleaseStore, ServiceConfigs } from '../domain/ports';
import type { RoutingListHosts } from '../domain/routing-list-ports';
import { logger } from '../handlers/compose';
import type { HostDirectory } from './sandbox-chain';

/**
 * The live routing lists in the sandbox: Parameter Store in memory, the Slack function's requests handed to the
 * `effects` function as on Lambda, and the apply document run for real on the hosts the routing step's tags
 * select. Unlike Run Command, `apply` returns once every host has run it, so that `settled()` covers it.
 */
export function sandboxRoutingLists(parts: {
  readonly fleet: Pick<HostDirectory, 'hostsMatching' | 'run'>;
  readonly store: ReleaseStore;
  readonly configs: ServiceConfigs;
  readonly invokeAsync: (functionName: string) => (event: unknown) => void;
}) {
  const lists = memoryRoutingLists();
  const hosts: RoutingListHosts = {
    async apply({ targets, parameters }) {
      for (const host of parts.fleet.hostsMatching(targets)) {
        const outcome = await parts.fleet.run(host, 'applyRoutingLists', parameters);
        if (!outcome.ok || outcome.exitCode !== 0)
          logger.warn('routing lists not applied', { host: host.id, outcome: JSON.stringify(outcome) });
      }
      return { commandId: randomUUID() };
    },
  };
  return {
    lists,
    requests: routingListRequests({
      configs: parts.configs,
      store: parts.store,
      lists,
      handOff: { handOff: async (change) => parts.invokeAsync('effects')(listChangePending(change)) },
    }),
    effects: routingListEffects({ lists, hosts, store: parts.store }),
  };
}

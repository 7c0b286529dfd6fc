import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { RoutingListStore } from '../domain/routing-list-ports';
import {
  EMPTY_LIST,
  listValue,
  mergeLists,
  ROUTING_LISTS,
  type RoutingListName,
  readListValue,
  type StoredList,
} from '../domain/routing-lists';

/** `<path>/routing/<service>/vips` and `.../testers`: one parameter per list. */
export function routingListParameter(path: string, service: string, list: RoutingListName): string {
  return `${path}/routing/${service}/${list}`;
}

/**
 * SSM refuses an empty value, so an empty list is stored as the JSON list `[]`; a list with entries is a
 * StringList (`u-1,tier=gold,10.1.0.0/16`), exactly as the hosts take it.
 */
export const EMPTY_VALUE = '[]';

/** Rounds of "someone wrote in between, keep both" before giving up (and letting the invocation be retried). */
const MAX_ROUNDS = 5;

async function readParameter(client: SSMClient, name: string): Promise<StoredList> {
  try {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: name }));
    return { ...readListValue(Parameter?.Value ?? ''), version: Parameter?.Version ?? 0 };
  } catch (error) {
    if (error instanceof ParameterNotFound) return EMPTY_LIST;
    throw error;
  }
}

/** Reading the lists alone, for the Slack function (whose role may not write them). */
export function ssmRoutingListReader(client: SSMClient, path: string): Pick<RoutingListStore, 'read'> {
  return {
    async read(service) {
      const [vips, testers] = await Promise.all(
        ROUTING_LISTS.map((list) => readParameter(client, routingListParameter(path, service, list))),
      );
      return { vips: vips ?? EMPTY_LIST, testers: testers ?? EMPTY_LIST };
    },
  };
}

/**
 * The live routing lists in Parameter Store. SSM has no conditional put, so an update reads, writes, and then
 * checks the version its write got: one more than the version it read, or another writer came in between. Then
 * that writer's value (the version just before ours, read with the `name:version` selector) gets our change
 * again and is written on top:
 *
 *   read v ──── put ─> v+2 ── read v+1 (theirs) ── put theirs ⊕ ours ─> v+3
 *        other: put ─> v+1
 */
export function ssmRoutingLists(client: SSMClient, path: string): RoutingListStore {
  return {
    read: ssmRoutingListReader(client, path).read,
    async update(service, list, change, note) {
      const name = routingListParameter(path, service, list);
      let stored = await readParameter(client, name);
      const update = change(stored.entries);
      if (!update.ok || !update.changed) return { update, stored };
      let [base, mine] = [stored.entries, update.entries];
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const { Version = 0 } = await client.send(
          new PutParameterCommand({
            Name: name,
            Value: mine.length > 0 ? listValue(mine) : EMPTY_VALUE,
            Type: 'StringList',
            Tier: 'Standard',
            Overwrite: true,
            Description: `Canary Agent live routing list (${list} of ${service}): ${note}`.slice(0, 1024),
          }),
        );
        const raced = Version !== stored.version + 1;
        stored = { entries: mine, version: Version, unreadable: [] };
        if (!raced) return { update, stored };
        const theirs = await readParameter(client, `${name}:${Version - 1}`);
        [base, mine] = [mine, mergeLists(base, theirs.entries, mine)];
        if (listValue(mine) === listValue(base)) return { update, stored };
      }
      throw new Error(
        `${name} kept changing under ${MAX_ROUNDS} writes in a row; the change will be retried`,
      );
    },
  };
}

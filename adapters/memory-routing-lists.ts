import type { RoutingListStore } from '../domain/routing-list-ports';
import { EMPTY_LIST, ROUTING_LISTS, type RoutingListName, type StoredList } from '../domain/routing-lists';

/**
 * The live routing lists in memory, for the sandbox and tests: each write gets the next version, as a Parameter
 * Store parameter does. One process, one writer at a time: no write can race another here.
 */
export function memoryRoutingLists(
  initial: Readonly<Record<string, Partial<Record<RoutingListName, readonly string[]>>>> = {},
): RoutingListStore & { notes(): readonly string[] } {
  const lists = new Map<string, StoredList>();
  const notes: string[] = [];
  for (const [service, byList] of Object.entries(initial))
    for (const [list, entries] of Object.entries(byList))
      lists.set(`${service}/${list}`, { entries: entries ?? [], version: 1, unreadable: [] });
  const get = (service: string, list: RoutingListName) => lists.get(`${service}/${list}`) ?? EMPTY_LIST;
  return {
    async read(service) {
      const [vips, testers] = ROUTING_LISTS.map((list) => get(service, list));
      return { vips: vips ?? EMPTY_LIST, testers: testers ?? EMPTY_LIST };
    },
    async update(service, list, change, note) {
      const current = get(service, list);
      const update = change(current.entries);
      if (!update.ok || !update.changed) return { update, stored: current };
      const stored = { entries: update.entries, version: current.version + 1, unreadable: [] };
      lists.set(`${service}/${list}`, stored);
      notes.push(`${service} ${list}: ${note}`);
      return { update, stored };
    },
    notes: () => [...notes],
  };
}

import { isAmong, type People } from './access';
import { hasExposure } from './rollback-types';
import { checkListEntry, entryKey } from './routing-list-entries';
import type { ServiceConfig } from './service-config';
import { type Actor, type HostOperationStep, type Release, TERMINAL_STATES } from './types';

/**
 * Live routing lists: a service's VIPs (pinned to stable) and testers (sent to the canary) beyond the single
 * values its configuration names, changed from Slack while a release runs (`/canary vip add orders-api u-1234`).
 * Each list is one parameter, `<path>/routing/<service>/vips` and `.../testers`, whose version orders the changes.
 */
export const ROUTING_LISTS = ['vips', 'testers'] as const;
export type RoutingListName = (typeof ROUTING_LISTS)[number];

/**
 * A Standard-tier parameter holds at most 4,096 characters, and each list travels to the hosts as one document
 * parameter of that size: a list is full when its entries, joined by commas, would pass it.
 */
export const MAX_LIST_CHARS = 4096;

/** A list as stored: its entries, the parameter's version (0 when none exists yet), and what could not be read. */
export interface StoredList {
  readonly entries: readonly string[];
  readonly version: number;
  /** Entries a hand edit left that no host may be given (bad form, or past the size limit), as found. */
  readonly unreadable: readonly string[];
}

export type RoutingLists = Readonly<Record<RoutingListName, StoredList>>;

export const EMPTY_LIST: StoredList = { entries: [], version: 0, unreadable: [] };

/** What a person asked for, as handed from the Slack function to the `effects` function. */
export interface ListChange {
  readonly service: string;
  readonly list: RoutingListName;
  readonly action: 'add' | 'remove';
  readonly entry: string;
  /** The Slack user who asked. */
  readonly by: string;
}

export type ListUpdate =
  | { readonly ok: true; readonly changed: boolean; readonly entries: readonly string[] }
  | { readonly ok: false; readonly reason: 'list-full'; readonly chars: number };

/**
 * The list after `change`: an entry already there (user ids without regard to case) is not added twice, and an
 * absent one is not removed; a list that would pass MAX_LIST_CHARS is refused as full.
 *
 * @example
 * changeList(['u-1'], { action: 'add', entry: 'U-1' }) // { ok: true, changed: false, entries: ['u-1'] }
 */
export function changeList(
  entries: readonly string[],
  change: Pick<ListChange, 'action' | 'entry'>,
): ListUpdate {
  const key = entryKey(change.entry);
  const present = entries.some((e) => entryKey(e) === key);
  if (change.action === 'remove') {
    return present
      ? { ok: true, changed: true, entries: entries.filter((e) => entryKey(e) !== key) }
      : { ok: true, changed: false, entries };
  }
  if (present) return { ok: true, changed: false, entries };
  const next = [...entries, change.entry];
  const chars = listValue(next).length;
  return chars > MAX_LIST_CHARS
    ? { ok: false, reason: 'list-full', chars }
    : { ok: true, changed: true, entries: next };
}

/**
 * Keeps a change that raced another: `theirs` is what another writer stored between our read (`base`) and our
 * write (`mine`); the result is theirs with our own additions and removals made again on top of it.
 *
 * @example
 * mergeLists(['a'], ['a', 'b'], ['a', 'c']) // ['a', 'b', 'c']
 */
export function mergeLists(
  base: readonly string[],
  theirs: readonly string[],
  mine: readonly string[],
): readonly string[] {
  const keys = (list: readonly string[]) => new Set(list.map(entryKey));
  const [inBase, inMine] = [keys(base), keys(mine)];
  const removed = new Set([...inBase].filter((k) => !inMine.has(k)));
  const kept = theirs.filter((e) => !removed.has(entryKey(e)));
  const inKept = keys(kept);
  return [...kept, ...mine.filter((e) => !inBase.has(entryKey(e)) && !inKept.has(entryKey(e)))];
}

/** The parameter's value: a StringList, entries joined by commas. */
export function listValue(entries: readonly string[]): string {
  return entries.join(',');
}

/**
 * Reads a stored list: a StringList (`a,b`), or a JSON array of strings for those who write it by hand. Every
 * entry is checked again; what fails, repeats, or passes the size limit is set aside as unreadable, never sent.
 *
 * @example
 * readListValue('["u-1", "10.0.0.0/8", "bad entry"]') // { entries: ['u-1', '10.0.0.0/8'], unreadable: ['bad entry'] }
 */
export function readListValue(text: string): Pick<StoredList, 'entries' | 'unreadable'> {
  const { items, rejected } = text.trim().startsWith('[')
    ? jsonEntries(text)
    : { items: text.split(','), rejected: [] };
  const entries: string[] = [];
  const unreadable = [...rejected];
  const seen = new Set<string>();
  for (const item of items.map((r) => r.trim()).filter((r) => r !== '')) {
    const checked = checkListEntry(item);
    const fits = listValue([...entries, item]).length <= MAX_LIST_CHARS;
    if (!checked.ok || !fits) unreadable.push(item.slice(0, 130));
    else if (!seen.has(entryKey(item))) {
      seen.add(entryKey(item));
      entries.push(item);
    }
  }
  return { entries, unreadable };
}

/** A JSON list's strings; anything else in it (a number, an object, text that is no JSON) is rejected as it is. */
function jsonEntries(text: string): { items: string[]; rejected: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { items: [], rejected: [text.slice(0, 130)] };
  }
  if (!Array.isArray(parsed)) return { items: [], rejected: [text.slice(0, 130)] };
  const strings = parsed.filter((item): item is string => typeof item === 'string');
  const others = parsed
    .filter((item) => typeof item !== 'string')
    .map((item) => JSON.stringify(item).slice(0, 130));
  return { items: strings, rejected: others };
}

/**
 * Who may change a service's lists: its approvers (`approvals.users` and `approvals.groups`), the people already
 * trusted to decide who sees a canary.
 */
export function listEditors(config: Pick<ServiceConfig, 'approvals'>): People {
  return { users: config.approvals.users, groups: config.approvals.groups };
}

/** Refuses anyone who is not one of the service's approvers (groups resolved at the edge). */
export function listChangeRefusal(
  config: Pick<ServiceConfig, 'approvals'>,
  actor: Actor,
): 'not-authorized' | null {
  return isAmong(listEditors(config), actor) ? null : 'not-authorized';
}

const PROXY_OPERATIONS = new Set(['startMirror', 'shiftTraffic', 'stopMirror']);

/**
 * The step whose routing proxy serves the stable fleet now, when `release` is a steps release routing users: the
 * stable hosts are proxied and the last proxy operation it reached is a shift of traffic (not the mirror that
 * may come first, nor the hand-back after promotion). Its targets and parameters are what a live change of the
 * lists is sent with.
 *
 * @example
 * routingStep(releaseVerifyingItsFirstStep)?.parameters.CanaryPercent // '10'
 */
export function routingStep(release: Release | null): HostOperationStep | null {
  if (release === null || release.strategy.kind !== 'steps' || TERMINAL_STATES.includes(release.state))
    return null;
  if (!hasExposure(release.exposure, 'stableProxied')) return null;
  const reached = release.plan.slice(0, release.cursor + 1);
  const last = reached.filter(
    (s): s is HostOperationStep => s.kind === 'hostOperation' && PROXY_OPERATIONS.has(s.operation),
  );
  const step = last.at(-1);
  return step?.operation === 'shiftTraffic' ? step : null;
}

/** The lists as the host documents take them: each joined, with the version that orders it (newer wins on a host). */
export function listParameters(lists: RoutingLists): Record<string, string> {
  return {
    VipList: listValue(lists.vips.entries),
    VipListVersion: String(lists.vips.version),
    TesterList: listValue(lists.testers.entries),
    TesterListVersion: String(lists.testers.version),
  };
}

/** The plan's placeholders, filled with the lists as stored when each shift of traffic is sent. */
export const NO_LIST_PARAMETERS = listParameters({ vips: EMPTY_LIST, testers: EMPTY_LIST });

/**
 * What the apply document is told: the routing step's settings without its share (a host keeps the share it
 * routes with, whichever step reached it last), and the lists.
 */
export function applyListParameters(step: HostOperationStep, lists: RoutingLists): Record<string, string> {
  const { CanaryPercent: _share, ...settings } = step.parameters;
  return { ...settings, ...listParameters(lists) };
}

import { createHash } from 'node:crypto';
import { kindOf } from '../domain/routing-list-entries';
import type { RoutingListName } from '../domain/routing-lists';

/**
 * How the live routing lists (domain/routing-lists.ts) reach a routing proxy. The shift-traffic and
 * apply-routing-lists documents render the same files and regexes in bash (hosts/scripts/lib-routing.sh);
 * test/hosts/routing-proxy-lists*.test.ts compare the two.
 */
export type ListEntries = Readonly<Record<RoutingListName, readonly string[]>>;

export const NO_LISTS: ListEntries = { vips: [], testers: [] };

/**
 * The lists' folder name: a hash of both lists, so that new lists are a new folder, the routing nginx's
 * configuration names it, and a change of lists is a change of that configuration (validated, reloaded, undone).
 */
export function listsId(lists: ListEntries): string {
  return createHash('sha256')
    .update(`${lists.vips.join(',')}\n${lists.testers.join(',')}\n`)
    .digest('hex')
    .slice(0, 16);
}

const ofKind = (entries: readonly string[], kind: ReturnType<typeof kindOf>) =>
  entries.filter((entry) => kindOf(entry) === kind);

/**
 * The files the routing nginx includes, per list: `<list>-users.map` (keys of the `map`s on the sticky cookie's
 * value and on the list's header, each escaped with `\` so an id such as `default` is never taken for the map's
 * own parameter), `<list>-cookies.map` (regexes on the Cookie header) and `<list>-networks.geo` (the `geo` on the
 * client address).
 */
export function nginxListFiles(lists: ListEntries): Record<string, string> {
  const files: Record<string, string> = {};
  for (const list of ['vips', 'testers'] as const) {
    const entries = lists[list];
    files[`${list}-users.map`] = ofKind(entries, 'user')
      .map((id) => `\\${id} 1;\n`)
      .join('');
    files[`${list}-cookies.map`] = ofKind(entries, 'cookie')
      .map((cookie) => `"~(?:^|[;,]\\s*)${cookie}(?:[;,]|$)" 1;\n`)
      .join('');
    files[`${list}-networks.geo`] = ofKind(entries, 'network')
      .map((net) => `${net} 1;\n`)
      .join('');
  }
  return files;
}

/** A regex RE2 and JavaScript both accept that matches nothing: the route of an empty list never applies. */
export const MATCHES_NOTHING = '\\b\\B';

/** The Envoy routes' matchers of one list: on the Cookie header, on the list's header, on the client address. */
export interface ListMatchers {
  readonly cookie: string;
  readonly header: string;
  readonly client: string;
}

/**
 * One list as RE2 regexes that Envoy matches whole (`safe_regex`): user ids as the sticky cookie's value (any
 * case, as nginx's `map` compares) or as the list's header, cookies as `name=value` among the others, networks
 * as the client address in dotted form. Entries hold no regex metacharacter but `.`, which networks escape.
 *
 * @example
 * listMatchers(['u-1', '10.0.0.0/8'], 'uid').client // '10\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}'
 */
export function listMatchers(entries: readonly string[], stickyCookie: string): ListMatchers {
  const users = ofKind(entries, 'user');
  const ids = users.length > 0 ? `(?:${users.map(caseless).join('|')})` : '';
  const pairs = [...(ids ? [`${stickyCookie}=${ids}`] : []), ...ofKind(entries, 'cookie')];
  const networks = ofKind(entries, 'network').map(networkRegex);
  return {
    cookie: pairs.length > 0 ? `^(?:.*[;,])?\\s*(?:${pairs.join('|')})\\s*(?:[;,].*)?$` : MATCHES_NOTHING,
    header: ids || MATCHES_NOTHING,
    client: networks.length > 0 ? networks.join('|') : MATCHES_NOTHING,
  };
}

/**
 * `u-1a` -> `[uU]-1[aA]`: an id in any case, as nginx's `map` compares it, in the syntax RE2 and JavaScript share
 * (RE2's `(?i:…)` is not JavaScript's, and Envoy's `ignore_case` does not apply to regexes).
 */
export function caseless(id: string): string {
  return id.replace(/[A-Za-z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/**
 * `10.1.64.0/18` -> `10\.1\.(?:64|65|…|127)\.[0-9]{1,3}`: the octets the prefix covers whole are literal, the one
 * it splits is each value it allows, the rest any number.
 */
export function networkRegex(network: string): string {
  const [address = '', prefixText] = network.split('/');
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  const octets = address.split('.').map(Number);
  return octets
    .map((octet, i) => {
      const bits = Math.max(0, Math.min(8, prefix - i * 8));
      if (bits === 8) return String(octet);
      if (bits === 0) return '[0-9]{1,3}';
      const size = 2 ** (8 - bits);
      const low = octet - (octet % size);
      return `(?:${Array.from({ length: size }, (_, n) => low + n).join('|')})`;
    })
    .join('\\.');
}

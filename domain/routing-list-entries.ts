import { patterns } from './patterns';

/**
 * One entry of a live routing list (a service's VIPs or testers), in one of three kinds:
 *
 *   user     `u-1234`        the value of the service's sticky cookie (`routing.stickyCookie`), or of its VIP header
 *                            (VIPs) or tester header (testers); matched without regard to case, as nginx's `map` does
 *   cookie   `tier=gold`     a cookie with exactly this value
 *   network  `10.1.0.0/16`   the client's address (the last X-Forwarded-For entry, which the ELB appends), IPv4
 *
 * Every kind keeps to characters that mean nothing to a shell, an nginx configuration or an RE2 regex but the
 * ones they need (`=`, `.`, `/`), so an entry that passes here can be written into a host's proxy as it is.
 */
export type ListEntryKind = 'user' | 'cookie' | 'network';

export interface ListEntry {
  readonly kind: ListEntryKind;
  readonly text: string;
}

export type EntryCheck =
  | { readonly ok: true; readonly entry: ListEntry }
  | { readonly ok: false; readonly problem: string };

/** What an entry may be, for every refusal: said the same way in Slack and in logs. */
export const ENTRY_FORMS =
  'a user id (letters, digits, `_` and `-`, at most 64), a cookie as `name=value`, or an IPv4 client network such as `203.0.113.7` or `10.1.0.0/16`';

const MAX_ENTRY = 129;

/**
 * Reads one list entry strictly: what it is, or why it is not one.
 *
 * @example
 * checkListEntry('10.1.2.0/16') // { ok: false, problem: '`10.1.2.0/16` has bits set past its /16: the network is `10.1.0.0/16`.' }
 */
export function checkListEntry(text: string): EntryCheck {
  if (text.length === 0 || text.length > MAX_ENTRY) return refused(text);
  if (patterns.routingToken.test(text)) return { ok: true, entry: { kind: 'user', text } };
  if (patterns.listCookie.test(text)) return { ok: true, entry: { kind: 'cookie', text } };
  if (patterns.clientNetwork.test(text)) {
    const network = networkOf(text);
    if (network !== text && text.includes('/')) {
      return {
        ok: false,
        problem: `\`${text}\` has bits set past its prefix: the network is \`${network}\`.`,
      };
    }
    return { ok: true, entry: { kind: 'network', text } };
  }
  if (/^[0-9A-Fa-f:]+(?:\/[0-9]{1,3})?$/.test(text) && text.includes(':')) {
    return {
      ok: false,
      problem: 'IPv6 networks cannot be listed yet: list IPv4 networks, user ids or cookies.',
    };
  }
  return refused(text);
}

function refused(text: string): EntryCheck {
  const shown = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  return { ok: false, problem: `\`${shown.replace(/`/g, '')}\` is not ${ENTRY_FORMS}.` };
}

/**
 * The key that says whether two entries are the same: user ids without regard to case (nginx's `map` matches
 * them so, and the Envoy routes do too), cookies and networks exactly.
 *
 * @example
 * entryKey('Alice') === entryKey('alice') // true
 */
export function entryKey(text: string): string {
  return patterns.routingToken.test(text) ? text.toLowerCase() : text;
}

/** `10.1.2.3/16` -> `10.1.0.0/16`; an address without a prefix stays as it is. */
export function networkOf(text: string): string {
  const [address = '', prefix] = text.split('/');
  if (prefix === undefined) return text;
  const bits = Number(prefix);
  const octets = address.split('.').map(Number);
  const masked = octets.map((octet, i) => {
    const kept = Math.max(0, Math.min(8, bits - i * 8));
    return octet & ((0xff << (8 - kept)) & 0xff);
  });
  return `${masked.join('.')}/${bits}`;
}

/** The kind of an entry already checked (stored lists are checked again when read). */
export function kindOf(text: string): ListEntryKind {
  if (patterns.routingToken.test(text)) return 'user';
  return text.includes('=') ? 'cookie' : 'network';
}

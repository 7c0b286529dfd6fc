import { checkListEntry } from '../../domain/routing-list-entries';
import { checkService, type ParsedCommand } from './canary-command';
import { code, type Failure, fail } from './parse-replies';

/**
 * `/canary vip …` and `/canary tester …`: the live routing lists of a service.
 *
 * @example
 * const command: ListCommand = { kind: 'vip', action: 'add', service: 'orders-api', entry: 'u-1234' };
 */
export type ListCommand =
  | {
      readonly kind: 'vip' | 'tester';
      readonly action: 'add' | 'remove';
      readonly service: string;
      readonly entry: string;
    }
  | { readonly kind: 'vip' | 'tester'; readonly action: 'list'; readonly service: string };

const ACTIONS: ReadonlyMap<string, ListCommand['action']> = new Map([
  ['add', 'add'],
  ['remove', 'remove'],
  ['rm', 'remove'],
  ['delete', 'remove'],
  ['list', 'list'],
  ['show', 'list'],
  ['status', 'list'],
]);

/**
 * `vip add ‹service› ‹entry›`, `vip remove ‹service› ‹entry›`, `vip list ‹service›` (and the same for `tester`):
 * every refusal says what to type instead.
 *
 * @example
 * parseListCommand('vip', ['add', 'orders-api', 'tier=gold'])
 * // { ok: true, command: { kind: 'vip', action: 'add', service: 'orders-api', entry: 'tier=gold' } }
 */
export function parseListCommand(kind: 'vip' | 'tester', args: readonly string[]): ParsedCommand {
  const [word, service, entry, ...extra] = args;
  const examples = `\`/canary ${kind} add orders-api u-1234\`, \`/canary ${kind} remove orders-api u-1234\` or \`/canary ${kind} list orders-api\``;
  if (word === undefined) return fail(`Say what to do with the ${listName(kind)}: ${examples}.`, kind);
  const action = ACTIONS.get(word.toLowerCase());
  if (action === undefined) {
    return fail(`${code(word)} is not something \`${kind}\` does: type ${examples}.`, kind);
  }
  const example = (what: string) => `\`/canary ${kind} ${action} orders-api${what}\``;
  if (service === undefined) {
    return fail(
      `Missing the service: name it right after \`${word}\`, e.g. ${example(action === 'list' ? '' : ' u-1234')}.`,
      kind,
    );
  }
  const problem = checkService(kind, service);
  if (problem) return reword(problem, kind, action);
  const named = service as string;
  if (action === 'list') {
    return entry === undefined
      ? { ok: true, command: { kind, action, service: named } }
      : unexpected(kind, [entry, ...extra]);
  }
  const withEntry = `\`/canary ${kind} ${action} ${named} u-1234\``;
  if (entry === undefined) {
    return fail(
      `Missing what to ${action}: a user id, a cookie as \`name=value\` or an IPv4 network, e.g. ${withEntry}.`,
      kind,
    );
  }
  if (extra.length > 0) return unexpected(kind, extra);
  const checked = checkListEntry(entry);
  if (!checked.ok) return fail(`${checked.problem} Type one entry at a time, e.g. ${withEntry}.`, kind);
  return { ok: true, command: { kind, action, service: named, entry } };
}

/** `VIPs` or `testers`, as the answers name the lists. */
export function listName(kind: 'vip' | 'tester'): string {
  return kind === 'vip' ? 'VIPs' : 'testers';
}

/** The service check's examples name `vip orders-api`; here the action comes first. */
function reword(problem: Failure, kind: 'vip' | 'tester', action: string): Failure {
  const message = problem.message.replace(
    `\`/canary ${kind} orders-api\``,
    `\`/canary ${kind} ${action} orders-api\``,
  );
  return { ok: false, message };
}

function unexpected(kind: 'vip' | 'tester', extra: readonly string[]): Failure {
  return fail(`Unexpected ${code(extra.join(' '))}: one entry at a time, nothing after it.`, kind);
}

import { editDistance } from '../../domain/did-you-mean';
import { MAX_GROUP_MEMBERS } from '../../domain/group';
import { MAX_STEPS } from '../../domain/release-request';
import type { CanaryCommand } from './canary-command';

type CommandKind = CanaryCommand['kind'];
/** The kinds a first word can name: a group release is a form of `start`, not a word of its own. */
type CommandWord = Exclude<CommandKind, 'startGroup'>;

/** What each `/canary` command looks like, and what it does: the help text and every error's usage line. */
export const USAGE_LINES: Readonly<Record<CommandKind, readonly [usage: string, explanation: string]>> = {
  start: [
    '/canary start ‹service› ‹version› [mirror=‹percent›] [window=‹duration›] [strategy=mirror|steps|steps:5,25,50,100|mirror,steps:5,25,100|blue-green]',
    'release ‹version› of ‹service› on a canary: mirror a share of live requests to it (the default), or move real users over in rising steps; or deploy it to the idle colour and switch all traffic to it (blue/green).',
  ],
  startGroup: [
    '/canary start ‹service›=‹version› ‹service›=‹version›… [window=‹duration›] [strategy=steps:5,25,100], /canary start group ‹group› [‹service›=‹version›…] [window=‹duration›] [strategy=steps:5,25,100]',
    `release up to ${MAX_GROUP_MEMBERS} services together, with one card and one verdict: the first (the entry) sends a rising share of users down the new path in steps and tags their requests, and each service after it, in call order, sends tagged requests to its own canary. \`group ‹group›\` releases a group configured on its entry service, at its versions unless you name others. A member that is busy refuses the group: it is never queued.`,
  ],
  plan: [
    '/canary plan ‹service› ‹version› [the options of start]',
    'show what `start` would do with the same options, changing nothing: each step, how many instances each fleet has now, the alarms it would watch and their state, the analysis and how long it takes; and whether it can run. Its Run button starts exactly that plan.',
  ],
  status: [
    '/canary status [‹service›]',
    'show where the release of ‹service› stands, or every active release.',
  ],
  list: ['/canary list', 'list the releases in progress and the freezes in force.'],
  services: [
    '/canary services',
    'list the configured services: how each may be released and the channel its card goes to.',
  ],
  promote: ['/canary promote ‹service›', 'approve the canary so that it replaces the stable version.'],
  rollback: [
    '/canary rollback ‹service›',
    'put the stable version back and remove the canary (also `roll-back`).',
  ],
  abort: ['/canary abort ‹service›', 'stop the release at once and undo it, recorded as aborted.'],
  retry: ['/canary retry ‹service›', 'retry a rollback that failed.'],
  cancel: [
    '/canary cancel ‹service›',
    'cancel the start queued for ‹service›: a `start` while a release runs is queued, and starts when that release ends (a newer one replaces it). For whoever queued it and the service’s approvers.',
  ],
  history: ['/canary history ‹service›', 'show the recent releases of ‹service›.'],
  revert: [
    '/canary revert ‹service›',
    'after a release succeeded, put the version before it back in one step (asks you to confirm; approvers, and the requester if the service allows it).',
  ],
  vip: [
    '/canary vip add|remove ‹service› ‹user id|cookie=value|IPv4 network›, /canary vip list ‹service›',
    'keep a user (by the service’s sticky cookie or VIP header), a cookie or a client network on the stable version while a steps release routes users, beside the VIPs the service configures. Applied to the routing proxies at once, without a restart; the next steps release reads the list too. Approvers of ‹service› only.',
  ],
  tester: [
    '/canary tester add|remove ‹service› ‹user id|cookie=value|IPv4 network›, /canary tester list ‹service›',
    'send a user (by the sticky cookie or the tester header), a cookie or a client network to the canary while a steps release routes users; VIPs still win. Approvers of ‹service› only.',
  ],
  freeze: [
    '/canary freeze ‹service|all› [reason]',
    'stop new releases of ‹service› (or of every service), from Slack and from pipelines, until unfrozen; running releases go on. For the service’s approvers and the freeze admins (`all`: the admins only).',
  ],
  unfreeze: ['/canary unfreeze ‹service|all›', 'lift a freeze; the same people may as may freeze.'],
  help: ['/canary help', 'show this help.'],
};

// A Map, not an object literal: a typed `constructor` or `__proto__` must not find anything.
export const COMMANDS: ReadonlyMap<string, CommandWord> = new Map([
  ...Object.keys(USAGE_LINES)
    .filter((kind): kind is CommandWord => kind !== 'startGroup')
    .map((kind) => [kind, kind] as const),
  ['roll-back', 'rollback'],
  ['vips', 'vip'],
  ['testers', 'tester'],
]);

/**
 * The help text of `/canary` (Slack mrkdwn): one line per command, then the options of `start`.
 *
 * @example
 * respond({ response_type: 'ephemeral', text: USAGE });
 */
export const USAGE: string = [
  '*`/canary` commands* (‹service› is a name like `orders-api`, ‹version› a Docker tag like `1.4.2`)',
  ...Object.values(USAGE_LINES).map(([usage, explanation]) => `\`${usage}\` – ${explanation}`),
  'Options of `start` (and `plan`), in any order, each at most once; leave one out for the service’s default:',
  '• `mirror=10`: the share of live requests mirrored to the canary, 0.01 to 100 percent, at most 2 decimals.',
  '• `window=15m`: how long the canary (or the new colour) is watched (with steps: each step’s bake time), as `90s`, `15m`, `1h30m`, `2d` or seconds, up to 7 days.',
  `• \`strategy=steps:5,25,50,100\`: the rising percentages of users on the canary, 1 to ${MAX_STEPS} steps (\`strategy=steps\` for the service’s own).`,
  '• `strategy=mirror,steps:5,25,100`: a mirrored window first (`mirror=` sets its share), then the steps, each with its own window.',
  '• `strategy=blue-green`: for a service with a blue and a green fleet: deploy the idle one, switch the load balancer to it, switch back on any alarm.',
  '• A group takes only `window=` (each step’s bake time) and `strategy=steps` or `strategy=steps:5,25,100` (the entry’s share of users): it routes by the tag in steps, so it neither mirrors nor goes blue/green.',
  'Who may start: a service’s `requesters` (users and user groups; anyone when none are listed), from its own channel and any it lists in `slack.channels`.',
  'Examples: `/canary start orders-api 1.4.2 mirror=10 window=15m`, `/canary start orders-api=1.4.2 payments=2.1.0 strategy=steps:5,25,100`',
].join('\n');

/** The command one or two typos away from `word`, so `/canary promte` suggests `promote`. */
export function closestCommand(word: string): string | undefined {
  if (word.length < 3 || word.length > 12) return undefined;
  return [...COMMANDS.keys()].find((name) => editDistance(word, name) <= 2);
}

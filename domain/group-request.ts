import { MAX_GROUP_MEMBERS } from './group';
import {
  groupAlarms,
  groupAnalysisOf,
  groupPlan,
  groupUndo,
  initialGroup,
  type MemberInput,
} from './group-plan';
import { isVersion } from './patterns';
import { beginRelease, MAX_STEPS, type RequestResult, windowRefusal } from './release-request';
import type { Actor, Instant, ReleasePolicy, Strategy } from './types';

/** A group release as asked: its members in call order (the entry first), each with the version to release. */
export interface GroupReleaseRequest {
  readonly releaseId: string;
  readonly name?: string;
  readonly members: readonly MemberInput[];
  /** Every member once; by default downstream first, so that no caller ever meets an older callee. */
  readonly promotionOrder?: readonly string[];
  readonly keepRouting?: boolean;
  /** The entry's shares, step by step; the entry's `steps.defaultSteps` when left out. */
  readonly steps?: readonly number[];
  /** Each step's window; the entry's default window when left out. */
  readonly windowSeconds?: number;
  readonly requestedBy: Actor;
  readonly now: Instant;
}

export type GroupRefusal =
  | 'group-too-small'
  | 'group-too-large'
  | 'duplicate-member'
  | 'invalid-version'
  | 'same-version'
  | 'invalid-steps'
  | 'window-out-of-bounds'
  | 'bad-promotion-order'
  | 'member-cannot-route'
  | 'no-common-approver';

type Refused = { readonly ok: false; readonly reason: GroupRefusal; readonly message: string };

/**
 * Checks a group request and starts its plan: one release, one card, every member's alarms in one verdict.
 *
 * @example
 * requestGroupRelease({ members: [front, orders, payments], … })
 * // { ok: true, release: { state: 'deployingCanary', group: { members: [...] }, … }, … }
 */
export function requestGroupRelease(request: GroupReleaseRequest): RequestResult | Refused {
  const refusal = refusalOf(request);
  if (refusal) return { ok: false, ...refusal };
  const [entry] = request.members as [MemberInput, ...MemberInput[]];
  const steps = request.steps ?? entry.config.steps.defaultSteps;
  const windowSeconds = request.windowSeconds ?? entry.config.validation.defaultWindowSeconds;
  const stepsRefused = stepsRefusal(steps, windowSeconds, entry);
  if (stepsRefused) return { ok: false, ...stepsRefused };
  const strategy = { kind: 'steps', steps, bakeSeconds: windowSeconds } as const;
  const promotionOrder =
    request.promotionOrder ?? [...request.members].reverse().map((m) => m.config.service);
  const input = {
    releaseId: request.releaseId,
    members: request.members,
    promotionOrder,
    keepRouting: request.keepRouting ?? false,
    strategy,
    approvalTimeoutSeconds: Math.min(...request.members.map((m) => m.config.approvals.timeoutSeconds)),
    approvalRequired: request.members.some((m) => m.config.approvals.required),
  };
  const started = beginRelease(
    { ...request, config: entry.config, fromVersion: entry.fromVersion, toVersion: entry.toVersion },
    { strategy, policy: policyOf(request.members, strategy), plan: groupPlan(input), undo: groupUndo(input) },
    initialGroup(input, request.name),
  );
  return started;
}

/**
 * The policy a group runs under. An approver must be able to approve every member (no one team's approver speaks
 * for another's service); four eyes if any member asks for them; the entry's channel.
 */
function policyOf(members: readonly MemberInput[], strategy: Strategy): ReleasePolicy {
  const [entry] = members as [MemberInput, ...MemberInput[]];
  const analysis = groupAnalysisOf(members, strategy);
  const common = (pick: (m: MemberInput) => readonly string[]) =>
    pick(entry).filter((id) => members.every((m) => pick(m).includes(id)));
  return {
    approvers: common((m) => m.config.approvals.users),
    approverGroups: common((m) => m.config.approvals.groups),
    fourEyes: members.some((m) => m.config.approvals.fourEyes),
    watchedAlarms: groupAlarms(members, strategy),
    onNoData: members.some((m) => m.config.validation.onNoData === 'extendThenRollback')
      ? 'extendThenRollback'
      : 'hold',
    channel: entry.config.slack.channel,
    ...(analysis ? { analysis } : {}),
  };
}

function refusalOf(request: GroupReleaseRequest): { reason: GroupRefusal; message: string } | null {
  const { members } = request;
  const names = members.map((m) => m.config.service);
  if (members.length < 2) {
    return {
      reason: 'group-too-small',
      message:
        'A group release needs at least two services, e.g. `/canary start orders-api=1.4.2 payments=2.1.0`.',
    };
  }
  if (members.length > MAX_GROUP_MEMBERS) {
    return {
      reason: 'group-too-large',
      message: `A group release takes at most ${MAX_GROUP_MEMBERS} services; this one names ${members.length}.`,
    };
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice)
    return { reason: 'duplicate-member', message: `${twice} is named twice; name each service once.` };
  for (const m of members) {
    const problem = memberProblem(m);
    if (problem) return problem;
  }
  const order = request.promotionOrder;
  if (order && (order.length !== names.length || !names.every((n) => order.includes(n)))) {
    return {
      reason: 'bad-promotion-order',
      message: `The promotion order must name every member once: ${names.join(', ')}.`,
    };
  }
  const policy = policyOf(members, { kind: 'steps', steps: [100], bakeSeconds: 0 });
  if (
    members.some((m) => m.config.approvals.required) &&
    policy.approvers.length + policy.approverGroups.length === 0
  ) {
    return {
      reason: 'no-common-approver',
      message: `No one approves all of ${names.join(', ')}, so no one could approve the group. Add an approver (or group) every member's configuration names, or release them one by one.`,
    };
  }
  return null;
}

/** A member a group cannot release: it must run a routing proxy on a standing fleet, with a canary the agent runs. */
function memberProblem(m: MemberInput): { reason: GroupRefusal; message: string } | null {
  const { config } = m;
  const service = config.service;
  if (!isVersion(m.toVersion)) {
    return {
      reason: 'invalid-version',
      message: `"${m.toVersion}" is not a version for ${service} (letters, digits, . _ -).`,
    };
  }
  if (m.toVersion === m.fromVersion) {
    return {
      reason: 'same-version',
      message: `${service} already runs ${m.toVersion}; leave it out of the group.`,
    };
  }
  const cannot = (why: string): { reason: GroupRefusal; message: string } => ({
    reason: 'member-cannot-route',
    message: `${service} cannot be in a group release: ${why}. Release it on its own.`,
  });
  // A blue/green member is released in steps on its live colour, through that colour's routing proxies.
  if (config.blueGreen && m.liveColour === undefined)
    return cannot('its listener forwards to neither its blue nor its green target group');
  if (config.canaryStack.provisionedBy !== 'agent')
    return cannot(
      `its canary is provisioned by ${config.canaryStack.provisionedBy}, and a group deploys each canary itself`,
    );
  if (config.hooks.length > 0) return cannot('it has hooks, which a group release does not run');
  return null;
}

function stepsRefusal(
  steps: readonly number[],
  windowSeconds: number,
  entry: MemberInput,
): { reason: GroupRefusal; message: string } | null {
  const ordered = steps.every((p, i) => p > 0 && p <= 100 && (i === 0 || p > (steps[i - 1] ?? 0)));
  if (steps.length === 0 || steps.length > MAX_STEPS || !ordered) {
    return {
      reason: 'invalid-steps',
      message: `Steps are the share of users the entry sends on the new path: 1 to ${MAX_STEPS} rising percentages above 0, e.g. steps:5,25,100.`,
    };
  }
  return windowRefusal(entry.config, windowSeconds);
}

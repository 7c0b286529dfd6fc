import { memberOf, type ReleaseGroup } from '../../domain/group';
import type { HostOperationName, HostOperationStep, Release, Step } from '../../domain/types';
import { operationWords } from '../../domain/words';
import { clip, escapeMrkdwn } from './mrkdwn';

/*
 * A group's plan steps in words: a group runs each host operation once per member, so every label names the member
 * and that member's own versions (the release's `toVersion` is only the entry's).
 */

/** A member's name or version, escaped and cut so that six of them fit anywhere on the card. */
export const named = (text: string) => escapeMrkdwn(clip(text, 80));

/** `(member 2 of 3)`: where a member comes in the promotion order, which is the order people watch it in. */
export function promotionPlace(group: ReleaseGroup, service: string): string {
  return `(member ${group.promotionOrder.indexOf(service) + 1} of ${group.members.length})`;
}

/** The member a step acts on: a host operation's `member`, or the member a bake settles. */
export function stepMember(step: Step | undefined): string | undefined {
  if (step?.kind === 'hostOperation') return step.member;
  return step?.kind === 'validate' ? step.settles : undefined;
}

/**
 * The group member whose host operation failed and started the rollback. The reason names only the operation (a
 * group runs each once per member); the plan's cursor stays on the step that failed.
 */
export function failedMember(release: Release): string | undefined {
  const reason = release.rollback?.reason;
  const step = release.plan[release.cursor];
  if (reason?.kind !== 'hostOperationFailed' || step?.kind !== 'hostOperation') return undefined;
  return step.operation === reason.operation ? step.member : undefined;
}

/** `a`, `a and b`, `a, b and c`. */
export function listed(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * A group member's host operation as a timeline label, with the member's own versions.
 *
 * @example
 * memberStepLabel(release, promotePayments, 'payments') // 'promote payments 2.1.0 on its stable fleet'
 */
export function memberStepLabel(release: Release, step: HostOperationStep, service: string): string {
  const member = memberOf(release, service);
  const name = named(service);
  const to = named(member?.toVersion ?? '?');
  const from = named(member?.fromVersion ?? '?');
  switch (step.operation) {
    case 'deployCanary':
      return `deploy ${name} ${to} to its canary`;
    case 'shiftTraffic':
      return service === release.service
        ? `${name} colours ${escapeMrkdwn(step.parameters.CanaryPercent ?? '?')}% of users`
        : `${name} routes tagged requests to its canary`;
    case 'stopMirror':
      return `stable hosts of ${name} back on their own nginx`;
    case 'promote':
      return `promote ${name} ${to} on its stable fleet`;
    case 'restoreStable':
      return `put ${name} ${from} back on its stable fleet`;
    case 'removeCanary':
      return `remove the canary of ${name}`;
    default:
      return operationWords(step.operation, step.fleet, name);
  }
}

/** Operations a group runs for several members in a row, which the timeline shows as one line. */
const RUNS: Partial<Record<HostOperationName, (release: Release, members: readonly string[]) => string>> = {
  deployCanary: (release, members) =>
    `deploy the canaries: ${members.map((s) => `${named(s)} ${named(memberOf(release, s)?.toVersion ?? '?')}`).join(', ')}`,
  shiftTraffic: (_, members) => `${listed(members.map(named))} route tagged requests to their canaries`,
  stopMirror: (_, members) => `stable hosts of ${listed(members.map(named))} back on their own nginx`,
  removeCanary: (_, members) => `remove the canaries of ${listed(members.map(named))}`,
};

/**
 * Whether `step` continues a run of the same operation for other members (deploying the canaries, routing the
 * downstream members, cleaning up), so the timeline can show the run as one line. The entry's share steps never
 * join: each is a step of the strategy.
 */
export function joinsRun(release: Release, previous: Step | undefined, step: Step): boolean {
  if (previous?.kind !== 'hostOperation' || step.kind !== 'hostOperation') return false;
  if (previous.member === undefined || step.member === undefined) return false;
  if (previous.operation !== step.operation || RUNS[step.operation] === undefined) return false;
  return step.operation !== 'shiftTraffic' || ![previous.member, step.member].includes(release.service);
}

/**
 * A run of one operation over several members, as one timeline label.
 *
 * @example
 * memberRunLabel(release, [deployPayments, deployOrders]) // 'deploy the canaries: payments 2.1.0, orders-api 1.4.2'
 */
export function memberRunLabel(release: Release, steps: readonly Step[]): string {
  const [first] = steps;
  const members = steps.flatMap((s) => (s.kind === 'hostOperation' && s.member ? [s.member] : []));
  const run = first?.kind === 'hostOperation' ? RUNS[first.operation] : undefined;
  return run ? run(release, members) : members.map(named).join(', ');
}

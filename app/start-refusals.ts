import { EVERY_SERVICE, type Freeze, type StartDenial } from '../domain/access';
import type { Actor } from '../domain/types';
import type { StartResult } from './start-release';

type Refused = Exclude<StartResult, { ok: true } | { reason: 'queued' }>;

/**
 * A start the domain's access policy refused, with a plain-text message for logs and pipelines; the denial
 * itself travels along so that Slack can render it with mentions.
 */
export function denied(service: string, denial: StartDenial, actor: Actor): Refused {
  return { ok: false, reason: denial.reason, message: deniedMessage(service, denial, actor), denial };
}

function deniedMessage(service: string, denial: StartDenial, actor: Actor): string {
  switch (denial.reason) {
    case 'not-a-requester': {
      const { users, groups } = denial.requesters;
      const who = [
        ...(users.length ? [`users ${users.join(', ')}`] : []),
        ...(groups.length ? [`members of user groups ${groups.join(', ')}`] : []),
      ];
      return `${actor.id} may not start ${service}: only ${who.join(' and ')} may.`;
    }
    case 'pipeline-not-allowed':
      return `Pipeline ${actor.id} may not start ${service}: only ${denial.pipelines.join(', ')} may.`;
    case 'wrong-channel':
      return `${service} is started from ${denial.channels.join(', ')} only.`;
    case 'frozen':
      return `${service} is frozen: ${denial.freezes.map(describeFreeze).join('; ')}. Nothing starts until it is lifted.`;
  }
}

/** `every service frozen by U0123 (person) at 2026-11-22T14:00:00.000Z: "quarter close"` */
export function describeFreeze(freeze: Freeze): string {
  const what = freeze.scope === EVERY_SERVICE ? 'every service' : freeze.scope;
  const why = freeze.reason ? `: "${freeze.reason}"` : '';
  return `${what} frozen by ${freeze.by.id} (${freeze.by.kind}) at ${freeze.at}${why}`;
}

export function busy(service: string, activeReleaseId: string | null): Refused {
  // Without a holder, the lock is free but a queued start waits to take it (its predecessor just ended).
  const what = activeReleaseId
    ? `a release in progress (${activeReleaseId}); wait for it to finish or abort it.`
    : 'a queued start about to begin: see it with /canary status.';
  return {
    ok: false,
    reason: 'release-busy',
    message: `${service} already has ${what}`,
    ...(activeReleaseId ? { activeReleaseId } : {}),
  };
}

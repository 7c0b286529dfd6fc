import { type Consequence, consequence, type Notice, type NoticeMedium, names } from './notice';
import type { UnsettledTarget } from './rollout-types';
import type { HostOperationName } from './types';
import { OPERATION_WORDS } from './words';

/** Where a drained rollout is: which batch, out of how many, for which operation. */
interface BatchPlace {
  readonly operation: HostOperationName;
  /** Counted from 1. */
  readonly batch: number;
  readonly batches: number;
}

/** What a drained rollout says as it goes (see rollout.ts). */
export type RolloutNotice =
  | { readonly kind: 'rolloutWithoutTargets'; readonly operation: HostOperationName }
  | (BatchPlace & { readonly kind: 'batchDraining'; readonly hostIds: readonly string[] })
  | (BatchPlace & { readonly kind: 'batchDrained' })
  | (BatchPlace & {
      readonly kind: 'batchAdmitting';
      readonly hostIds: readonly string[];
      /** Hosts of the batch whose swap failed (within maxErrors): they stay out of the load balancer. */
      readonly leftOut: readonly string[];
    })
  | (BatchPlace & { readonly kind: 'batchAdmitted' })
  | {
      readonly kind: 'targetsSettling';
      readonly phase: 'draining' | 'admitting';
      readonly targets: readonly UnsettledTarget[];
      readonly checkAgainInSeconds: number;
    }
  | { readonly kind: 'targetsChecking'; readonly phase: 'draining' | 'admitting' }
  /** The batch is every host still serving: draining it would leave the load balancer none (the rest failed). */
  | (BatchPlace & {
      readonly kind: 'lastHostsServing';
      readonly hostIds: readonly string[];
      readonly out: readonly string[];
      readonly leadsTo: Consequence;
    })
  | { readonly kind: 'targetGateRefused'; readonly reason: string; readonly leadsTo: Consequence };

const KINDS: ReadonlySet<string> = new Set([
  'rolloutWithoutTargets',
  'batchDraining',
  'batchDrained',
  'batchAdmitting',
  'batchAdmitted',
  'targetsSettling',
  'targetsChecking',
  'lastHostsServing',
  'targetGateRefused',
] satisfies RolloutNotice['kind'][]);

export function isRolloutNotice(notice: Notice): notice is RolloutNotice {
  return KINDS.has(notice.kind);
}

/** `Batch 2 of 4 of the promotion`: what a person reads, no internal names. */
function place(n: BatchPlace): string {
  return `Batch ${n.batch} of ${n.batches} of ${BATCH_OF[n.operation] ?? OPERATION_WORDS[n.operation]}`;
}

/** The operations that roll over a fleet in drained batches. */
const BATCH_OF: Partial<Record<HostOperationName, string>> = {
  promote: 'the promotion',
  restoreStable: 'the old version going back',
};

export function renderRolloutNotice(notice: RolloutNotice, m: NoticeMedium): string {
  switch (notice.kind) {
    case 'rolloutWithoutTargets':
      return `No host is registered in the fleet's target groups: ${OPERATION_WORDS[notice.operation]} runs on every host its tags select, with nothing to drain.`;
    case 'batchDraining':
      return `${place(notice)}: taking ${names(notice.hostIds, m)} out of the load balancer before touching ${notice.hostIds.length === 1 ? 'it' : 'them'}.`;
    case 'batchDrained':
      return `${place(notice)} drained; swapping.`;
    case 'batchAdmitting': {
      const out = notice.leftOut.length > 0 ? ` ${names(notice.leftOut, m)} failed and stay out.` : '';
      return `${place(notice)} swapped; putting ${names(notice.hostIds, m)} back.${out}`;
    }
    case 'batchAdmitted':
      return `${place(notice)} is healthy in the load balancer again.`;
    case 'targetsSettling': {
      const waiting = notice.targets.map((t) => `${m.text(t.instanceId)} (${m.text(t.state)})`).join(', ');
      const what = notice.phase === 'draining' ? 'Still draining' : 'Not healthy yet';
      return `${what}: ${waiting}. Checking again in ${notice.checkAgainInSeconds} s.`;
    }
    case 'targetsChecking':
      return notice.phase === 'draining' ? 'Checking the drain again.' : 'Checking health again.';
    case 'lastHostsServing':
      return consequence(
        `${place(notice)} would take ${names(notice.hostIds, m)} out, the last ${notice.hostIds.length === 1 ? 'host' : 'hosts'} serving: ${names(notice.out, m)} failed and ${notice.out.length === 1 ? 'is' : 'are'} out of the load balancer`,
        notice.leadsTo,
      );
    case 'targetGateRefused':
      return consequence(`The load balancer refused: ${m.text(notice.reason)}`, notice.leadsTo);
  }
}

/** The load balancer's own words behind a rollout notice (outside text), if any. */
export function rolloutNoticeDetail(notice: RolloutNotice): string | undefined {
  if (notice.kind === 'targetGateRefused') return notice.reason || undefined;
  if (notice.kind !== 'targetsSettling') return undefined;
  const reasons = notice.targets.filter((t) => t.reason).map((t) => `${t.instanceId}: ${t.reason}`);
  return reasons.length > 0 ? reasons.join('\n') : undefined;
}

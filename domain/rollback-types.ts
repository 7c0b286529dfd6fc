/** What a rollback undoes and why (domain/types.ts re-exports these). */
import type { AnalysisFailure } from './canary-analysis';
import type { CommandOutcome } from './runs';
import type { HostOperationName, Instant, ReleaseState, UndoStep } from './types';

/**
 * Changes on hosts that a rollback must undo. Added when the operation is dispatched (it may have run).
 * `stableProxied`: the stable hosts serve through the agent's proxy (mirroring or routing), not their own nginx.
 * `listenerSwitched`: the load balancer's listener may forward to the new colour (blue/green).
 * `canaryStackCreated`: the release's temporary canary stack may exist (even a failed create leaves one).
 */
export type Exposure =
  | 'canaryDeployed'
  | 'stableProxied'
  | 'stablePromoted'
  | 'listenerSwitched'
  | 'canaryStackCreated';

/**
 * An exposure as a release records it: bare for a one-service release, `<exposure>@<service>` for a member of a
 * group release, whose members each undo exactly what they did.
 */
export type ExposureMark = Exposure | `${Exposure}@${string}`;

/** The mark a step's exposure leaves: qualified by its group member, when it has one. */
export function exposureMark(exposure: Exposure, member: string | undefined): ExposureMark {
  return member === undefined ? exposure : `${exposure}@${member}`;
}

/** Whether any member (or the one service) may still have this exposure. */
export function hasExposure(marks: readonly ExposureMark[], exposure: Exposure): boolean {
  return marks.some((mark) => mark === exposure || mark.startsWith(`${exposure}@`));
}

export type RollbackReason =
  | { readonly kind: 'alarm'; readonly alarmName: string; readonly reason: string }
  | {
      readonly kind: 'hostOperationFailed';
      readonly operation: HostOperationName;
      readonly hostId?: string;
      readonly status: CommandOutcome;
      readonly output?: string;
    }
  | { readonly kind: 'aborted'; readonly by: string }
  | { readonly kind: 'rolledBackByPerson'; readonly by: string }
  | { readonly kind: 'rejected'; readonly by: string; readonly comment?: string }
  /** The pipeline's canary stack failed, or the release's own could not be created (CloudFormation's reason). */
  | { readonly kind: 'canaryStackFailed'; readonly reason: string }
  | { readonly kind: 'listenerSwitchFailed'; readonly reason: string }
  /** A hook (a Lambda function or a URL) failed; `output` is what it said (outside text). */
  | { readonly kind: 'hookFailed'; readonly name: string; readonly output: string }
  /** A window, extended once, still had no data from these watched alarms. */
  | { readonly kind: 'noData'; readonly alarms: readonly string[] }
  /** The canary analysis failed: at the window's end, on a critical metric, or for `failureLimit` intervals running. */
  | AnalysisFailure
  | { readonly kind: 'deadlineExceeded'; readonly state: ReleaseState };

export interface Rollback {
  readonly reason: RollbackReason;
  readonly startedAt: Instant;
  readonly steps: readonly UndoStep[];
  /** Index of the rollback step running (or failed); `steps.length` when all are done. */
  readonly cursor: number;
  readonly failure?: { readonly hostId?: string; readonly status: CommandOutcome; readonly output?: string };
  readonly attempts: number;
}

/** A host on which a host operation failed, tolerated within the step's `maxErrors`. */
export interface HostFailure {
  readonly operation: HostOperationName;
  readonly hostId: string;
  readonly status: CommandOutcome;
  /** The command that failed on the host: a report of it that comes late can still add its output. */
  readonly commandId?: string;
  /** The last of the host's output, as SSM reported it (outside text). */
  readonly output?: string;
}

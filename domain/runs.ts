import type { AnalysisProgress } from './canary-analysis';
import type { Rollout } from './rollout-types';
import type {
  ApprovalStep,
  AwaitCanaryStackStep,
  CanaryStackStep,
  HookStep,
  HostOperationStep,
  Instant,
  ListenerSwitchStep,
  ValidateStep,
} from './types';

/*
 * What runs now: a tagged union with one member per kind of step, each carrying its step and where it came from.
 * The step definitions are in types.ts; this file holds the state of running them.
 */

export type HostStatus = 'pending' | 'success' | 'failed' | 'timedOut' | 'cancelled';
export type CommandOutcome = Exclude<HostStatus, 'pending'>;

/** What every run records: its id, which list its step came from, and its time limits. */
interface RunCommon {
  readonly stepId: string;
  /** `plan`: a step of the forward path (at `cursor`); `rollback`: one of the rollback's own steps. */
  readonly origin: 'plan' | 'rollback';
  readonly startedAt: Instant;
  readonly deadlineAt: Instant;
}

/**
 * What is running right now: one step of the plan, or one step of the rollback. Each run carries the step it
 * runs, so nothing about it is inferred from cursors; its `kind` is its step's kind.
 */
export type StepRun =
  | HostOperationRun
  | ListenerSwitchRun
  | CanaryStackRun
  | HookRun
  | ValidationRun
  | InconclusiveRun
  | WaitRun;

export type HostOperationRun = RunCommon & {
  readonly kind: 'hostOperation';
  readonly step: HostOperationStep;
  readonly commandId?: string;
  readonly hosts: Readonly<Record<string, HostStatus>>;
  /** A rollback started while this operation ran: it waits for the operation to end first. */
  readonly cancelRequested?: boolean;
  /** A drained swap's progress, batch by batch (a step with `drain`). */
  readonly rollout?: Rollout;
};

export type ListenerSwitchRun = RunCommon & {
  readonly kind: 'switchListener';
  readonly step: ListenerSwitchStep;
  /** A rollback started while this switch ran: it waits for the switch to end first. */
  readonly cancelRequested?: boolean;
};

export type CanaryStackRun = RunCommon & {
  readonly kind: 'canaryStack';
  readonly step: CanaryStackStep;
  /** A rollback started while the stack was being created: it waits for CloudFormation to finish first. */
  readonly cancelRequested?: boolean;
};

/** A hook being called: its answer (or its deadline) ends it. Nothing to wait for before a rollback. */
export type HookRun = RunCommon & { readonly kind: 'hook'; readonly step: HookStep };

export type ValidationRun = RunCommon & {
  readonly kind: 'validate';
  readonly step: ValidateStep;
  readonly timerId: string;
  /** The window's end: a timer that claims to end it sooner changes nothing. */
  readonly windowEndsAt: Instant;
  /** Set once the window is over and the watched alarms are being read. */
  readonly checkId?: string;
  /** True once the window was extended because a watched alarm had no data (`onNoData: extendThenRollback`). */
  readonly extended?: boolean;
  /** The canary analysis of this window, when the release has one. */
  readonly analysis?: AnalysisProgress;
};

/**
 * A window ended without a clear verdict: no data from a watched alarm or the analysis (`onNoData: hold`), or a
 * marginal score. The release waits for a person.
 */
export type InconclusiveRun = RunCommon & {
  readonly kind: 'inconclusive';
  readonly step: ValidateStep;
  /** What had no data: watched alarms in INSUFFICIENT_DATA or not found, or the canary analysis. */
  readonly noData: readonly string[];
  /** Set instead when the analysis scored between its marginal and pass thresholds. */
  readonly marginal?: { readonly score: number; readonly reason: string };
};

export type WaitRun =
  | (RunCommon & { readonly kind: 'awaitCanaryStack'; readonly step: AwaitCanaryStackStep })
  | (RunCommon & { readonly kind: 'approval'; readonly step: ApprovalStep });

/**
 * A run that changes hosts, the load balancer or the canary stack, which a rollback must let finish before it
 * undoes anything.
 */
export type OperationRun = HostOperationRun | ListenerSwitchRun | CanaryStackRun;

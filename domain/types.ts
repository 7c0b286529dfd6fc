/** An ISO-8601 UTC instant, e.g. `2026-11-22T14:02:00.000Z`. The domain never reads a clock: callers pass `now`. */
export type Instant = string;

export interface Actor {
  readonly kind: 'person' | 'pipeline' | 'system';
  /** A Slack user id for people, a pipeline name, or the system part that acted (`cloudwatch`, `ssm`, `sweeper`…). */
  readonly id: string;
  /** Slack user groups the person belongs to, resolved at the edge. */
  readonly groups?: readonly string[];
}

/** `blue` and `green` are the two full-size fleets of a blue/green service, each behind its own target group. */
export type Fleet = 'stable' | 'canary' | 'blue' | 'green';
export type Colour = 'blue' | 'green';

/** The named operations that run on hosts; each is one SSM Command document (see hosts/). */
export const HOST_OPERATIONS = [
  'deployCanary',
  'removeCanary',
  'startMirror',
  'shiftTraffic',
  'stopMirror',
  'promote',
  'restoreStable',
  'deployIdle',
  /** A team's hook document (`hooks`): nothing to undo, and no built-in document. */
  'runHook',
] as const;
export type HostOperationName = (typeof HOST_OPERATIONS)[number];

export type { Strategy } from './strategy';

/** Run Command rate control: how many hosts at once, and how many failures stop the rest. */
export interface RateControl {
  readonly maxConcurrency: string;
  readonly maxErrors: string;
}

/** The states a release can be in. A plan step decides which of the active ones comes next. */
export const RELEASE_STATES = [
  'deployingCanary',
  'creatingCanaryStack',
  'awaitingCanaryStack',
  'startingMirror',
  'shiftingTraffic',
  'deployingIdle',
  'switchingListener',
  'runningHook',
  'verifying',
  'inconclusive',
  'awaitingApproval',
  'stoppingMirror',
  'promoting',
  'restoringProxy',
  'baking',
  'cleaningUp',
  'rollingBack',
  'rollbackFailed',
  'succeeded',
  'rolledBack',
] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const TERMINAL_STATES: readonly ReleaseState[] = ['succeeded', 'rolledBack'];

export type HostOperationStep = {
  readonly kind: 'hostOperation';
  readonly state: ReleaseState;
  readonly operation: HostOperationName;
  readonly fleet: Fleet;
  /** The EC2 tags that select the fleet's hosts. */
  readonly targets: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  /** Set for operations that roll over a fleet in batches (promotion); otherwise the agent's default. */
  readonly rateControl?: RateControl;
  /** `warn`: a failure is reported but does not undo the release (used for clean-up after promotion). */
  readonly onFailure: 'rollback' | 'warn';
  /** Set for a swap on a fleet behind target groups: each batch leaves the load balancer before it is touched. */
  readonly drain?: TrafficDrain;
  /** The service's own deploy document (`deploy.document`), run in place of the built-in one. */
  readonly document?: string;
  /** In a group release: the member this step acts on, whose exposure it adds or clears. */
  readonly member?: string;
  /** In a group release: once this step is done, the member's promotion stands (domain/group-plan.ts). */
  readonly settles?: string;
};

/** What a host operation step asks the fleet to do, as its effect carries it. */
export type HostOperationRequest = Pick<
  HostOperationStep,
  'operation' | 'fleet' | 'targets' | 'parameters' | 'timeoutSeconds' | 'rateControl' | 'document'
>;

/**
 * Where a blue/green switch happens: a listener's default forward action, or, when the service shares its load
 * balancer with others, the forward action of one of that listener's rules.
 */
export interface TrafficRoute {
  readonly listenerArn: string;
  readonly ruleArn?: string;
}

/**
 * Points a load balancer listener at another target group (blue/green). `forward` puts the new colour live;
 * `back` is its undo. Either one only moves the listener from `fromTargetGroupArn`, never from anywhere else.
 */
export type ListenerSwitchStep = TrafficRoute & {
  readonly kind: 'switchListener';
  readonly state: 'switchingListener' | 'rollingBack';
  readonly direction: 'forward' | 'back';
  readonly fromTargetGroupArn: string;
  readonly toTargetGroupArn: string;
  readonly timeoutSeconds: number;
};

/**
 * Creates or deletes the release's temporary canary stack (CloudFormation), from the service's template. The
 * agent's prefix is added to `stackName` where the stack is made.
 */
export interface CanaryStackStep {
  readonly kind: 'canaryStack';
  readonly state: 'creatingCanaryStack' | 'cleaningUp' | 'rollingBack';
  readonly action: 'create' | 'delete';
  readonly stackName: string;
  /** The template (an S3 URL) and its parameters: set for `create`. */
  readonly templateUrl?: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

/** What a rollback can run: a host operation, the listener switch back, or the canary stack's deletion. */
export type UndoStep = HostOperationStep | ListenerSwitchStep | CanaryStackStep;

/** Calls a team's hook (a Lambda function, or an HTTPS endpoint) and waits for its answer (domain/hooks.ts). */
export interface HookStep {
  readonly kind: 'hook';
  readonly state: 'runningHook';
  readonly name: string;
  readonly point: HookPoint;
  readonly target: { readonly lambda: string } | { readonly url: string };
  readonly timeoutSeconds: number;
}

export interface AwaitCanaryStackStep {
  readonly kind: 'awaitCanaryStack';
  readonly state: 'awaitingCanaryStack';
  readonly timeoutSeconds: number;
}

/**
 * A window with the watched alarms: `verifying` judges the canary; `baking` watches the stable fleet after its
 * promotion, where an alarm puts the previous version back.
 */
export interface ValidateStep {
  readonly kind: 'validate';
  readonly state: 'verifying' | 'baking';
  readonly windowSeconds: number;
  readonly alarms: readonly string[];
  /** In a group release: once this bake passes, the member's promotion stands (domain/group-plan.ts). */
  readonly settles?: string;
}

export interface ApprovalStep {
  readonly kind: 'approval';
  readonly state: 'awaitingApproval';
  readonly timeoutSeconds: number;
}

export type Step =
  | HostOperationStep
  | ListenerSwitchStep
  | CanaryStackStep
  | HookStep
  | AwaitCanaryStackStep
  | ValidateStep
  | ApprovalStep;

export type {
  CanaryStackRun,
  CommandOutcome,
  HookRun,
  HostOperationRun,
  HostStatus,
  InconclusiveRun,
  ListenerSwitchRun,
  OperationRun,
  StepRun,
  ValidationRun,
  WaitRun,
} from './runs';

import type { Evidence } from './analysis-evidence';
import type { ReleaseAnalysis } from './canary-analysis';
import type { CanaryStack } from './canary-stack';
import type { ReleaseGroup } from './group';
import type { HookPoint } from './hooks';
import type { ExposureMark, HostFailure, Rollback } from './rollback-types';
import type { TrafficDrain } from './rollout-types';
import type { StepRun } from './runs';
import type { Strategy } from './strategy';

export type { Exposure, ExposureMark, HostFailure, Rollback, RollbackReason } from './rollback-types';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmObservation {
  readonly state: AlarmState;
  readonly reason: string;
  readonly at: Instant;
}

/** One alarm as read at the end of a window. */
export interface AlarmReadingEvent {
  readonly name: string;
  readonly state: AlarmState;
  readonly reason: string;
  /** When the alarm entered this state (CloudWatch's StateUpdatedTimestamp); absent for an alarm not found. */
  readonly since?: Instant;
}

export interface Approval {
  readonly by: string;
  readonly at: Instant;
}

/** The snapshot of the service's policy a release runs under; later config edits do not change it. */
export interface ReleasePolicy {
  readonly approvers: readonly string[];
  readonly approverGroups: readonly string[];
  readonly fourEyes: boolean;
  readonly watchedAlarms: readonly string[];
  readonly channel: string;
  /** The alarm on the routing proxies' failovers, among the watched ones for a steps release. */
  readonly failoverAlarm?: string;
  /** What a window that ends without data from a watched alarm does; no data is never a pass. */
  readonly onNoData: NoDataPolicy;
  /** The canary judged against stable on metrics, when the service configures it. */
  readonly analysis?: ReleaseAnalysis;
  /** The promoted fleet judged against its figures before the release, during the bake (`promotion.bakeAnalysis`). */
  readonly bakeAnalysis?: ReleaseAnalysis;
}

/**
 * `hold`: wait as `inconclusive` for a person (Roll back, or an approver's Promote after a confirm that names the
 * missing data); `extendThenRollback`: run the window once more, then roll back if the data is still missing.
 */
export type NoDataPolicy = 'hold' | 'extendThenRollback';

export interface Release {
  readonly id: string;
  readonly service: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly strategy: Strategy;
  readonly requestedBy: Actor;
  readonly requestedAt: Instant;
  readonly policy: ReleasePolicy;
  readonly plan: readonly Step[];
  /** Every step that can undo an exposure, in safe order; a rollback runs those it needs. */
  readonly undo: readonly UndoStep[];
  readonly state: ReleaseState;
  /** Index into `plan` of the step in progress on the forward path. */
  readonly cursor: number;
  readonly run?: StepRun;
  readonly stepCount: number;
  readonly exposure: readonly ExposureMark[];
  /** When the canary first took (mirrored) traffic: from then on a watched ALARM starts a rollback. */
  readonly trafficSince?: Instant;
  readonly rollback?: Rollback;
  readonly approvals: readonly Approval[];
  readonly alarms: Readonly<Record<string, AlarmObservation>>;
  /** The latest judgement of the canary against stable, with its figures. */
  readonly evidence?: Evidence;
  readonly recordedVersion?: string;
  /** Hosts a promotion left behind within its `maxErrors`, with what they said: the card lists them. */
  readonly hostFailures?: readonly HostFailure[];
  /** The release's temporary canary stack, once created, with what its outputs said. */
  readonly canaryStack?: CanaryStack;
  /** Hosts the agent took out of the service's target groups and has not put back (see `rollout.ts`). */
  readonly outOfService?: readonly string[];
  readonly warnings: readonly string[];
  /** A group release (full-link): its members, each with its versions; `service` is then the entry's. */
  readonly group?: ReleaseGroup;
  /** Optimistic-concurrency version: bumps on every accepted change, never otherwise. */
  readonly version: number;
  readonly historyLength: number;
  readonly updatedAt: Instant;
}

export type { Effect, HistoryEntry, NoticeSeverity, Refusal, ReleaseEvent, Transition } from './events';

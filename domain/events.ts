import type { AnalysisOutcome, MetricsSpan, TimeSpan } from './canary-analysis';
import type { PathCount } from './group';
import type { Notice } from './notice';
import type { GateAction, GateReport } from './rollout-types';
import type { CommandOutcome } from './runs';
import type {
  Actor,
  AlarmReadingEvent,
  AlarmState,
  HookStep,
  HostOperationRequest,
  Instant,
  ListenerSwitchStep,
  Release,
  ReleaseState,
} from './types';

/* What moves a release (events), what it asks for (effects), what it records (history), and what comes back. */

/** Events that can move a release. Every one may arrive late, twice, or out of order. */
export type ReleaseEvent =
  | { readonly kind: 'approved'; readonly actor: Actor }
  | { readonly kind: 'rejected'; readonly actor: Actor; readonly comment?: string }
  | { readonly kind: 'abortRequested'; readonly actor: Actor }
  | { readonly kind: 'rollbackRequested'; readonly actor: Actor }
  | { readonly kind: 'rollbackRetried'; readonly actor: Actor }
  | { readonly kind: 'hostOperationDispatched'; readonly stepId: string; readonly commandId: string }
  | {
      readonly kind: 'hostCommandFinished';
      readonly commandId: string;
      readonly hostId: string;
      readonly status: CommandOutcome;
      readonly output?: string;
    }
  | { readonly kind: 'commandFinished'; readonly commandId: string; readonly status: CommandOutcome }
  | {
      readonly kind: 'alarmChanged';
      readonly alarmName: string;
      readonly state: AlarmState;
      readonly reason: string;
      readonly at: Instant;
    }
  | {
      readonly kind: 'alarmsChecked';
      readonly checkId: string;
      readonly alarms: readonly AlarmReadingEvent[];
    }
  | { readonly kind: 'timerElapsed'; readonly timerId: string }
  | { readonly kind: 'canaryAnalysed'; readonly analysisId: string; readonly outcome: AnalysisOutcome }
  | {
      readonly kind: 'pathCounted';
      readonly countId: string;
      readonly until: Instant;
      readonly counts: Readonly<Record<string, PathCount>>;
    }
  | { readonly kind: 'canaryStackReady'; readonly actor: Actor }
  | { readonly kind: 'canaryStackFailed'; readonly actor: Actor; readonly reason: string }
  /** CloudFormation finished creating the release's stack; `outputs` as DescribeStacks gave them. */
  | {
      readonly kind: 'canaryStackCreated';
      readonly stackName: string;
      readonly outputs: Readonly<Record<string, string>>;
    }
  /** The stack could not be created (it rolled back) or deleted: CloudFormation's reason. */
  | { readonly kind: 'canaryStackCreateFailed'; readonly stackName: string; readonly reason: string }
  | { readonly kind: 'canaryStackDeleted'; readonly stackName: string }
  | { readonly kind: 'canaryStackDeleteFailed'; readonly stackName: string; readonly reason: string }
  /** A hook answered: passed, or failed with what it said (outside text). */
  | {
      readonly kind: 'hookFinished';
      readonly stepId: string;
      readonly passed: boolean;
      readonly output: string;
    }
  | { readonly kind: 'listenerSwitched'; readonly stepId: string }
  | { readonly kind: 'listenerSwitchFailed'; readonly stepId: string; readonly reason: string }
  | { readonly kind: 'targetsGated'; readonly gateId: string; readonly report: GateReport }
  /** The load balancer refused a gate action for good (a target group gone, no right to it). */
  | { readonly kind: 'targetsGateFailed'; readonly gateId: string; readonly reason: string }
  | { readonly kind: 'deadlineExceeded'; readonly stepId: string };

/** `progress` notices may be coalesced by a notifier; the others must each be delivered. */
export type NoticeSeverity = 'progress' | 'info' | 'warning' | 'critical';

/** Effects are data; the application service runs them through ports after the new state is saved. */
export type Effect =
  | ({
      readonly kind: 'runHostOperation';
      readonly stepId: string;
      /** Set for one batch of a drained rollout: these hosts, instead of every host the tags select. */
      readonly instanceIds?: readonly string[];
    } & HostOperationRequest)
  /** Reads, drains or admits hosts in the fleet's target groups; comes back as `targetsGated`. */
  | {
      readonly kind: 'gateTargets';
      readonly stepId: string;
      readonly gateId: string;
      readonly action: GateAction;
      readonly attempt: number;
      readonly targetGroupArns: readonly string[];
      readonly instanceIds: readonly string[];
    }
  | { readonly kind: 'cancelHostOperation'; readonly stepId: string; readonly commandId: string }
  | ({ readonly kind: 'switchListener'; readonly stepId: string } & Pick<
      ListenerSwitchStep,
      'listenerArn' | 'ruleArn' | 'fromTargetGroupArn' | 'toTargetGroupArn'
    >)
  /** Creates the release's canary stack; CloudFormation's status event brings the result back. */
  | {
      readonly kind: 'createCanaryStack';
      readonly stepId: string;
      readonly stackName: string;
      readonly templateUrl: string;
      readonly parameters: Readonly<Record<string, string>>;
      readonly timeoutMinutes: number;
    }
  | { readonly kind: 'deleteCanaryStack'; readonly stepId: string; readonly stackName: string }
  /** Calls a hook and reports its answer as `hookFinished`. */
  | ({ readonly kind: 'callHook'; readonly stepId: string; readonly releaseId: string } & Pick<
      HookStep,
      'name' | 'point' | 'target' | 'timeoutSeconds'
    >)
  | { readonly kind: 'setTimer'; readonly timerId: string; readonly at: Instant }
  | { readonly kind: 'cancelTimer'; readonly timerId: string }
  | { readonly kind: 'checkAlarms'; readonly checkId: string; readonly alarmNames: readonly string[] }
  /** Reads the release's analysed metrics over the span; comes back as `canaryAnalysed`. */
  | { readonly kind: 'analyseCanary'; readonly analysisId: string; readonly span: MetricsSpan }
  /** A group release's path: each member's canary requests, tagged and untagged, since traffic began. */
  | {
      readonly kind: 'countPath';
      readonly countId: string;
      readonly services: readonly string[];
      readonly span: TimeSpan;
    }
  /** Draws canary against stable over the span and posts the picture in the release's thread. */
  | { readonly kind: 'postEvidenceChart'; readonly chartId: string; readonly span: MetricsSpan }
  /** What happened, as data: each notifier renders it for its medium (see `notice.ts`). */
  | { readonly kind: 'notify'; readonly notice: Notice; readonly severity: NoticeSeverity }
  | { readonly kind: 'recordCurrentVersion'; readonly service: string; readonly version: string };

export interface HistoryEntry {
  readonly seq: number;
  readonly at: Instant;
  readonly actor: Actor;
  readonly cause: ReleaseEvent['kind'] | 'requested';
  readonly from: ReleaseState | null;
  readonly to: ReleaseState;
  readonly note: Notice;
}

export type Refusal =
  | 'not-authorized'
  | 'requester-cannot-approve'
  | 'already-approved'
  | 'not-awaiting-approval'
  | 'release-finished'
  | 'already-rolling-back'
  | 'not-rollback-failed';

export type Transition =
  | {
      readonly ok: true;
      /** False when the event was stale or a duplicate: nothing to save, nothing to do. */
      readonly changed: boolean;
      readonly release: Release;
      readonly effects: readonly Effect[];
      readonly history: readonly HistoryEntry[];
    }
  | { readonly ok: false; readonly reason: Refusal; readonly message: string };

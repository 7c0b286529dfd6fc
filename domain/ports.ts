import type { Freeze } from './access';
import type { PathCount } from './group';

export type { MetricsReading, MetricsSpan } from './canary-analysis';

import type { AnalysedMetric } from './analysis-queries';
import type { MetricsReading, MetricsSpan, TimeSpan } from './canary-analysis';
import type { HookPoint } from './hooks';
import type { Notice } from './notice';
import type { StartQueue } from './queue';
import type { GateReport } from './rollout-types';
import type { ConfigResult } from './service-config';
import type {
  AlarmReadingEvent,
  Effect,
  HistoryEntry,
  HookStep,
  Instant,
  NoticeSeverity,
  Release,
  TrafficRoute,
} from './types';

/** An effect waiting in the outbox until it has been run; saved in the same write as the state that caused it. */
export interface PendingEffect {
  readonly id: string;
  readonly releaseId: string;
  readonly effect: Effect;
  readonly createdAt: Instant;
}

/** One atomic change: the release, its new history, its new effects, and the event that caused it. */
export interface ReleaseChange {
  readonly release: Release;
  readonly history: readonly HistoryEntry[];
  readonly effects: readonly PendingEffect[];
  /** The delivery's id; a second change with the same id is refused as a duplicate. */
  readonly eventId?: string;
  /** A `create` of the service's queued start (the release has its reserved id): it leaves the queue in the write. */
  readonly fromQueue?: boolean;
}

export interface DueDeadline {
  readonly releaseId: string;
  readonly stepId: string;
  readonly deadlineAt: Instant;
}

/** Change freezes, kept beside the releases so that `create` can refuse a frozen service in its own write. */
export interface FreezeStore {
  /** Every freeze in force, for `/canary list`. */
  freezes(): Promise<readonly Freeze[]>;
  /** The freezes that stop `service` from starting (its own, and the one on every service), read consistently. */
  freezesOf(service: string): Promise<readonly Freeze[]>;
  /** Put-if-absent: null when stored, or the freeze already in force on the same scope (which is kept). */
  freeze(freeze: Freeze): Promise<Freeze | null>;
  /** Lifts the freeze on `scope`: the freeze lifted, or null when there was none. */
  unfreeze(scope: string): Promise<Freeze | null>;
}

/**
 * Durable release state. Every write is conditional: `create` takes the service's lock (and refuses a frozen
 * service, or one with a start queued unless it creates that start), `save` succeeds only if the stored version is
 * still `expectedVersion`. Failures are the typed errors in `domain/errors.ts`.
 */
export interface ReleaseStore extends FreezeStore, StartQueue {
  load(releaseId: string): Promise<Release | null>;
  create(change: ReleaseChange): Promise<void>;
  save(change: ReleaseChange, expectedVersion: number): Promise<void>;
  activeReleaseId(service: string): Promise<string | null>;
  activeReleases(): Promise<readonly Release[]>;
  recentReleases(service: string, limit: number): Promise<readonly Release[]>;
  history(releaseId: string): Promise<readonly HistoryEntry[]>;
  releaseIdForCommand(commandId: string): Promise<string | null>;
  pendingEffects(createdBefore: Instant): Promise<readonly PendingEffect[]>;
  /** One release's effects still in the outbox, in no particular order. */
  pendingEffectsOf(releaseId: string): Promise<readonly PendingEffect[]>;
  completeEffects(effects: readonly PendingEffect[]): Promise<void>;
  dueDeadlines(now: Instant): Promise<readonly DueDeadline[]>;
}

type RunHostOperation = Extract<Effect, { kind: 'runHostOperation' }>;

/** Runs named host operations on fleets (SSM Run Command in AWS, local scripts in the sandbox). */
export interface FleetOperator {
  run(releaseId: string, operation: RunHostOperation): Promise<{ readonly commandId: string }>;
  cancel(commandId: string): Promise<void>;
  /** The end of what a host printed for a command (why it failed), or undefined when there is none to read. */
  output(commandId: string, hostId: string): Promise<string | undefined>;
}

/** One-time timers that come back as `timerElapsed` events. Setting an existing timer is a no-op. */
export interface Timers {
  set(releaseId: string, timerId: string, at: Instant): Promise<void>;
  cancel(timerId: string): Promise<void>;
}

/** An alarm's state and since when it holds; an alarm that does not exist reads INSUFFICIENT_DATA, never OK. */
export type AlarmReading = AlarmReadingEvent;

/** Which alarms do not exist: a start that would watch one is refused with their names. */
export interface AlarmCatalog {
  missing(alarmNames: readonly string[]): Promise<readonly string[]>;
}

/** Reads alarm states at decision points, because an alarm event can be missed. */
export interface AlarmReader {
  read(alarmNames: readonly string[]): Promise<readonly AlarmReading[]>;
}

/** Reads the analysis' metrics for the canary and the stable fleet over a span (GetMetricData on AWS). */
export interface CanaryMetrics {
  read(metrics: readonly AnalysedMetric[], span: MetricsSpan): Promise<MetricsReading>;
  /**
   * Requests the routing proxies of each service sent to its canary over a span, by whether they arrived tagged
   * (a group release's path, README "Group releases"); a service with no figures counts zero.
   */
  pathCounts(services: readonly string[], span: TimeSpan): Promise<Readonly<Record<string, PathCount>>>;
}

/** A picture of the evidence, ready to post. */
export interface EvidenceImage {
  readonly png: Uint8Array;
  readonly filename: string;
  readonly title: string;
  /** What the picture shows, in words, for screen readers and notifications. */
  readonly altText: string;
}

/**
 * Draws the analysed metrics, canary against stable, over a span: one line per fleet per metric, as a PNG
 * (CloudWatch's GetMetricWidgetImage on AWS, a local renderer of the same widget in the sandbox).
 */
export interface EvidenceCharts {
  draw(metrics: readonly AnalysedMetric[], span: MetricsSpan, title: string): Promise<EvidenceImage>;
}

/** Posts a picture in the release's thread, under its living message (Slack's files.uploadV2, the console). */
export interface ReleaseThread {
  postImage(release: Release, image: EvidenceImage): Promise<void>;
}

/** A notice to deliver, and how urgently. */
export interface Notification {
  readonly notice: Notice;
  readonly severity: NoticeSeverity;
}

/** Tells people and systems that a release changed (Slack's living message, EventBridge). */
export interface Notifier {
  releaseChanged(release: Release, notification: Notification): Promise<void>;
}

/**
 * A load balancer listener (or one of its rules) that forwards to one of two target groups (blue/green). `switch`
 * moves it from `from` to `to`, is a no-op when it is already on `to`, and refuses (ListenerSwitchRefusedError)
 * when it forwards anywhere else: the agent never takes traffic away from a target group it did not expect to be
 * live.
 */
export interface ListenerSwitch {
  /** The one target group the route forwards all traffic to, or null when it splits traffic or does not forward. */
  liveTargetGroup(route: TrafficRoute): Promise<string | null>;
  switch(route: TrafficRoute, from: string, to: string): Promise<void>;
}

/** What a hook is told (JSON for a Lambda function; the signed body for a URL). */
export interface HookRequest {
  readonly service: string;
  readonly releaseId: string;
  readonly hook: string;
  readonly point: HookPoint;
  readonly fromVersion: string;
  readonly toVersion: string;
}

/**
 * Calls a team's hooks: a Lambda function (`<prefix>-hook-<name>`) or an HTTPS endpoint. A hook's own failure (an
 * error, a refusal, no answer in time) is an answer, `passed: false`, with what it said; only the agent's own
 * trouble (throttled) throws, so the call is retried.
 */
export interface HookCaller {
  call(
    target: HookStep['target'],
    request: HookRequest,
    timeoutSeconds: number,
  ): Promise<{ readonly passed: boolean; readonly output: string }>;
}

/** A canary stack as CloudFormation describes it now; `inProgress` until it settles. */
export type CanaryStackReport =
  | { readonly status: 'created'; readonly outputs: Readonly<Record<string, string>> }
  | { readonly status: 'createFailed'; readonly reason: string }
  | { readonly status: 'deleted' }
  | { readonly status: 'deleteFailed'; readonly reason: string }
  | { readonly status: 'inProgress' };

/**
 * The releases' temporary canary stacks (CloudFormation on AWS, the sandbox's stand-in locally), named without the
 * agent's prefix. Creating and deleting only start the work; CloudFormation's status events say when it ended.
 */
export interface CanaryStacks {
  /**
   * Starts creating the stack; the same `token` again is the same request. Refuses (CanaryStackRefusedError)
   * what no retry fixes: a template that does not validate, a missing parameter, no right to the template.
   */
  create(request: {
    readonly stackName: string;
    readonly templateUrl: string;
    readonly parameters: Readonly<Record<string, string>>;
    readonly timeoutMinutes: number;
    readonly token: string;
    readonly tags: Readonly<Record<string, string>>;
  }): Promise<void>;
  /** Starts deleting the stack; `gone` when there is none (already deleted, or never created). */
  delete(stackName: string, token: string): Promise<'deleting' | 'gone'>;
  /**
   * What CloudFormation says of the stack now, with its outputs or the first reason it failed; null if there is
   * none. `stackId` (from a status event) finds it even once deleted.
   */
  describe(stackName: string, stackId?: string): Promise<CanaryStackReport | null>;
}

/**
 * The target groups a fleet serves behind, as a drained rollout moves hosts through them (ELBv2 on AWS, the
 * sandbox's load balancers locally). Each call acts, then reports where every host stands; acting twice changes
 * nothing (a host already out is not deregistered again). A refusal no retry can fix is a TargetGateRefusedError.
 */
export interface TargetGroups {
  /** Every instance registered in any of the groups, except those already leaving (draining or unused). */
  registered(targetGroupArns: readonly string[]): Promise<GateReport>;
  /** Takes the instances out of every group; settled once none is draining in any of them. */
  drain(
    targetGroupArns: readonly string[],
    instanceIds: readonly string[],
    attempt: number,
  ): Promise<GateReport>;
  /** Puts the instances (back) into every group; settled once each is healthy in all of them. */
  admit(
    targetGroupArns: readonly string[],
    instanceIds: readonly string[],
    attempt: number,
  ): Promise<GateReport>;
}

/** The version each service's stable fleet runs: its history is the deploy history. */
export interface VersionRegistry {
  current(service: string): Promise<string | null>;
  record(service: string, version: string): Promise<void>;
}

/**
 * Where saved effects go when they must not run in this process: a Slack request has to be answered within
 * 3 seconds, so it saves the change and hands the release's outbox to another worker (the event bus).
 */
export interface EffectHandOff {
  handOff(releaseId: string): Promise<void>;
}

/** Where a release's living message is: the channel and the message's timestamp, as Slack names messages. */
export interface CardRef {
  readonly channel: string;
  readonly ts: string;
}

/** Remembers each release's living message. `claim` is put-if-absent: of two racing posts, one card wins. */
export interface CardRefs {
  get(releaseId: string): Promise<CardRef | null>;
  claim(releaseId: string, ref: CardRef): Promise<boolean>;
}

/** A stored service configuration under the name `/canary` commands use for it. */
export interface ListedService {
  readonly service: string;
  readonly config: ConfigResult;
}

/** Every configured service, by name; `complete` is false when the listing stopped at its limit. */
export interface ServiceList {
  readonly services: readonly ListedService[];
  readonly complete: boolean;
}

export interface ServiceConfigs {
  /** `null` when no configuration exists for the service; parse errors come back as a failed result. */
  get(service: string): Promise<ConfigResult | null>;
  /** Whether a configuration is stored for the service, valid or not, without parsing it. */
  exists(service: string): Promise<boolean>;
  /** Every stored configuration, sorted by name, each parsed (an invalid one is listed with its errors). */
  list(): Promise<ServiceList>;
}

export interface Clock {
  now(): Instant;
}

export interface IdSource {
  releaseId(service: string, now: Instant): string;
}

import { bakeAnalysisOf, releaseAnalysisOf } from './canary-analysis';
import type { ReleaseGroup } from './group';
import { isVersion } from './patterns';
import { assertNever, canaryAlarms, formatPercent, planFor, undoSteps } from './plan';
import type { ServiceConfig } from './service-config';
import { type Draft, draft, enterStep } from './steps';
import { mirroredPercent } from './strategy';
import type { Actor, Colour, Effect, HistoryEntry, Instant, Release, ReleasePolicy, Strategy } from './types';

export interface ReleaseRequest {
  readonly releaseId: string;
  readonly config: ServiceConfig;
  /** The version the stable fleet runs now (from the version registry). */
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly requestedBy: Actor;
  /** Mirror (the default) or weighted steps; the service's defaults fill what is left out. */
  readonly strategy?: StrategyChoice;
  /** Overrides of the service's defaults, checked against its bounds: the mirror share, and the validation window
   * (for steps: the bake time of each step). */
  readonly percent?: number;
  readonly windowSeconds?: number;
  /** For blue/green: the target group the service's listener forwards to now (the live colour's). */
  readonly liveTargetGroupArn?: string;
  readonly now: Instant;
}

export type StrategyChoice =
  | { readonly kind: 'mirror' }
  /** `mirrorFirst`: mirror for one window before the steps (the service's mirror share, or `percent`). */
  | { readonly kind: 'steps'; readonly steps?: readonly number[]; readonly mirrorFirst?: boolean }
  | { readonly kind: 'blueGreen' };

export const MAX_STEPS = 10;

export type RequestRefusal =
  | 'invalid-version'
  | 'invalid-steps'
  | 'same-version'
  | 'mirror-not-acknowledged'
  | 'percent-out-of-bounds'
  | 'percent-without-mirror'
  | 'window-out-of-bounds'
  | 'blue-green-not-configured'
  | 'listener-not-blue-or-green';

export type RequestResult =
  | {
      readonly ok: true;
      readonly release: Release;
      readonly effects: readonly Effect[];
      readonly history: readonly HistoryEntry[];
    }
  | { readonly ok: false; readonly reason: RequestRefusal; readonly message: string };

/**
 * The initial transition: checks a request against the service's policy and starts the plan's first step.
 *
 * @example
 * requestRelease({ releaseId: 'r-1', config, fromVersion: '1.4.1', toVersion: '1.4.2', requestedBy, now })
 * // { ok: true, release: { state: 'deployingCanary', … }, effects: [{ kind: 'runHostOperation', … }, …] }
 */
export function requestRelease(request: ReleaseRequest): RequestResult {
  const { config } = request;
  const percent = request.percent ?? config.mirror.defaultPercent;
  const windowSeconds = request.windowSeconds ?? config.validation.defaultWindowSeconds;
  const live = liveColour(request);
  if (typeof live === 'object') return { ok: false, ...live };
  const strategy = strategyOf(request, percent, windowSeconds, live);
  const refusal = refusalOf(request, strategy, windowSeconds);
  if (refusal) return { ok: false, ...refusal };

  const planInput = { ...request, strategy, windowSeconds, ...(live ? { liveColour: live } : {}) };
  return beginRelease(request, {
    strategy,
    policy: policyOf(config, strategy, live, request.now),
    plan: planFor(planInput),
    undo: undoSteps(planInput),
  });
}

/**
 * A release planned and checked: the initial release, its first step started, and its `requested` history entry.
 * Shared by `requestRelease` and `requestRevert`.
 */
export function beginRelease(
  request: Pick<ReleaseRequest, 'releaseId' | 'config' | 'fromVersion' | 'toVersion' | 'requestedBy' | 'now'>,
  planned: Pick<Release, 'strategy' | 'policy' | 'plan' | 'undo'>,
  group?: ReleaseGroup,
): Extract<RequestResult, { ok: true }> {
  const { config, strategy } = { ...request, ...planned };
  const initial: Release = {
    id: request.releaseId,
    service: config.service,
    fromVersion: request.fromVersion,
    toVersion: request.toVersion,
    requestedBy: request.requestedBy,
    requestedAt: request.now,
    ...planned,
    state: 'deployingCanary', // replaced by the first step's state below
    cursor: 0,
    stepCount: 0,
    exposure: [],
    approvals: [],
    alarms: {},
    warnings: [],
    ...(group ? { group } : {}),
    version: 0,
    historyLength: 0,
    updatedAt: request.now,
  };
  const started: Draft = enterStep(
    draft(initial, {
      kind: 'requested',
      by: request.requestedBy,
      service: config.service,
      fromVersion: request.fromVersion,
      toVersion: request.toVersion,
      strategy,
      ...(group ? { members: group.members } : {}),
    }),
    0,
    request.now,
  );
  const release: Release = { ...started.release, version: 1, historyLength: 1 };
  const entry: HistoryEntry = {
    seq: 1,
    at: request.now,
    actor: request.requestedBy,
    cause: 'requested',
    from: null,
    to: release.state,
    note: started.note,
  };
  const notice: Effect = { kind: 'notify', notice: started.note, severity: 'info' };
  return { ok: true, release, effects: [...started.effects, notice], history: [entry] };
}

type Refused = { reason: RequestRefusal; message: string };

/** The snapshot of the service's policy the release runs under: later configuration edits do not change it. */
function policyOf(
  config: ServiceConfig,
  strategy: Strategy,
  live: Colour | undefined,
  now: Instant,
): ReleasePolicy {
  const analysis = releaseAnalysisOf(config, strategy, live);
  const bakeAnalysis = bakeAnalysisOf(config, strategy, live, now);
  return {
    approvers: config.approvals.users,
    approverGroups: config.approvals.groups,
    fourEyes: config.approvals.fourEyes,
    watchedAlarms: [...judgedBy(config, strategy), ...config.alarms.stable],
    onNoData: config.validation.onNoData,
    ...(strategy.kind === 'steps' && config.alarms.failover ? { failoverAlarm: config.alarms.failover } : {}),
    ...(analysis ? { analysis } : {}),
    ...(bakeAnalysis ? { bakeAnalysis } : {}),
    channel: config.slack.channel,
  };
}

function strategyOf(
  request: ReleaseRequest,
  percent: number,
  windowSeconds: number,
  live: Colour | undefined,
): Strategy {
  const choice = request.strategy ?? { kind: 'mirror' };
  switch (choice.kind) {
    case 'mirror':
      return { kind: 'mirror', percent };
    case 'steps':
      return {
        kind: 'steps',
        steps: choice.steps ?? request.config.steps.defaultSteps,
        bakeSeconds: windowSeconds,
        ...(choice.mirrorFirst ? { mirror: { percent } } : {}),
      };
    case 'blueGreen': {
      // liveColour has refused a blue/green request for a service without blue/green.
      const from = live ?? 'blue';
      return { kind: 'blueGreen', from, to: from === 'blue' ? 'green' : 'blue' };
    }
    default:
      return assertNever(choice);
  }
}

/**
 * The colour the listener forwards to: for a blue/green service it is the stable fleet whatever the strategy.
 * `undefined` for a service without blue/green, unless a blue/green release was asked for (a refusal then).
 */
function liveColour(request: ReleaseRequest): Colour | undefined | Refused {
  const { config } = request;
  const bg = config.blueGreen;
  if (bg === undefined) {
    if (request.strategy?.kind !== 'blueGreen') return undefined;
    return {
      reason: 'blue-green-not-configured',
      message: `${config.service} has no blueGreen section (a listener, and a blue and a green target group with their fleets), so it cannot switch colours. Release it with mirroring or in steps, or add that section to its configuration.`,
    };
  }
  const live = request.liveTargetGroupArn;
  if (live === bg.blue.targetGroupArn) return 'blue';
  if (live === bg.green.targetGroupArn) return 'green';
  return {
    reason: 'listener-not-blue-or-green',
    message: `${config.service}'s listener forwards to ${live ?? 'no single target group'}, which is neither its blue nor its green target group; point it at one of them before releasing.`,
  };
}

/** The alarms that judge the new version: the canary's, or for blue/green the colour that goes live. */
function judgedBy(config: ServiceConfig, strategy: Strategy): readonly string[] {
  if (strategy.kind === 'blueGreen' && config.blueGreen) return config.blueGreen[strategy.to].alarms;
  return canaryAlarms(config, strategy);
}

/** `mirroring 10%`, `in steps of 5% → 25% → 100%`, `blue/green from blue to green`. */
export function describeStrategy(strategy: Strategy): string {
  switch (strategy.kind) {
    case 'mirror':
      return `mirroring ${formatPercent(strategy.percent)}%`;
    case 'steps': {
      const steps = `in steps of ${strategy.steps.map((p) => `${formatPercent(p)}%`).join(' → ')}`;
      return strategy.mirror ? `mirroring ${formatPercent(strategy.mirror.percent)}%, then ${steps}` : steps;
    }
    case 'blueGreen':
      return `blue/green from ${strategy.from} to ${strategy.to}`;
    case 'revert':
      return strategy.colours
        ? `revert: the listener back to ${strategy.colours.to}, no canary, no window`
        : 'revert: promoted on the stable fleet, no canary, no window';
    default:
      return assertNever(strategy);
  }
}

function refusalOf(
  request: ReleaseRequest,
  strategy: Strategy,
  windowSeconds: number,
): { reason: RequestRefusal; message: string } | null {
  const { config } = request;
  if (!isVersion(request.toVersion)) {
    return {
      reason: 'invalid-version',
      message: `"${request.toVersion}" is not a version (letters, digits, . _ -).`,
    };
  }
  if (request.toVersion === request.fromVersion) {
    return { reason: 'same-version', message: `${config.service} already runs ${request.toVersion}.` };
  }
  if (strategy.kind === 'steps') {
    const { steps } = strategy;
    const ordered = steps.every((p, i) => p >= 0 && p <= 100 && (i === 0 || p > (steps[i - 1] ?? 0)));
    if (steps.length === 0 || steps.length > MAX_STEPS || !ordered) {
      return {
        reason: 'invalid-steps',
        message: `Steps must be 1 to ${MAX_STEPS} rising percentages between 0 and 100, e.g. steps:5,25,50,100.`,
      };
    }
  }
  const mirrored = mirroredPercent(strategy);
  if (request.percent !== undefined && mirrored === undefined) {
    return {
      reason: 'percent-without-mirror',
      message: `A percent sets the share of mirrored requests, but ${describeStrategy(strategy)} does not mirror: leave the percent out.`,
    };
  }
  if (mirrored !== undefined && config.mirror.readOnlyAcknowledgedBy === undefined) {
    return {
      reason: 'mirror-not-acknowledged',
      message: `Mirroring sends duplicate requests to the database ${config.service} shares with its canary. Set mirror.readOnlyAcknowledgedBy in its configuration once someone has confirmed it is read-only or idempotent, or release it in steps (strategy=steps).`,
    };
  }
  const { minPercent, maxPercent } = config.mirror;
  if (mirrored !== undefined && !(mirrored >= minPercent && mirrored <= maxPercent)) {
    return {
      reason: 'percent-out-of-bounds',
      message: `mirror=${mirrored} is outside ${config.service}'s bounds: ${minPercent} to ${maxPercent} percent.`,
    };
  }
  return windowRefusal(config, windowSeconds);
}

/** A window outside the service's bounds (`validation`), or null. */
export function windowRefusal(
  config: ServiceConfig,
  windowSeconds: number,
): { reason: 'window-out-of-bounds'; message: string } | null {
  const { minWindowSeconds, maxWindowSeconds } = config.validation;
  const within =
    Number.isInteger(windowSeconds) && windowSeconds >= minWindowSeconds && windowSeconds <= maxWindowSeconds;
  if (within) return null;
  return {
    reason: 'window-out-of-bounds',
    message: `window=${windowSeconds}s is outside ${config.service}'s bounds: ${minWindowSeconds}s to ${maxWindowSeconds}s.`,
  };
}

import type { StartDenial } from './access';
import { existingAlarmNames, STACK_OUTPUT } from './canary-stack';
import type { AlarmNow, InstanceCount, PlanSurveyAnswer } from './plan-survey';
import type { Fleet, Release, ReleasePolicy, Step } from './types';

/*
 * What `/canary plan` shows of a release that `requestRelease` planned and nobody saved: the fleets its host
 * operations select, the alarms it watches, the analysis it runs, how long it takes, and what stops it from running.
 */

/** A fleet the plan runs host operations on (forward or in a rollback), selected by its EC2 tags. */
export interface PlannedFleet {
  readonly fleet: Fleet;
  readonly tags: Readonly<Record<string, string>>;
}

/** How long a plan takes: the time it watches is known; host operations take what they take, approvals wait. */
export interface ExpectedDuration {
  /** Every validation window and the bake, in seconds. */
  readonly watchingSeconds: number;
  /** Each validation window (per step, for weighted steps), in seconds. */
  readonly windows: readonly number[];
  readonly bakeSeconds: number;
  /** Approvals on the way: each waits for a person, for as long as they take. */
  readonly approvals: number;
  /** The plan first waits for a canary stack (created by the agent or by the team's tooling). */
  readonly waitsForStack: boolean;
}

/** The canary analysis a plan runs, in the terms a person decides on. */
export interface PlannedAnalysis {
  /** The judged metrics' names (the request count only sizes the sample). */
  readonly judged: readonly string[];
  /** `stable`: canary against the stable fleet over the same minutes; `oldColour`: against the old colour before the switch. */
  readonly against: 'stable' | 'oldColour';
  readonly intervalSeconds: number;
  readonly minimumRequests: number;
  readonly thresholds: { readonly pass: number; readonly marginal: number };
  /** The bake also judges the promoted fleet against its own figures before the release. */
  readonly bake: boolean;
}

/** What the plan acts on and watches, before anything is read of the world. */
export interface PlanOutline {
  readonly fleets: readonly PlannedFleet[];
  /** Watched alarms that must exist before the release does (the survey reads their state). */
  readonly alarms: readonly string[];
  /** The plan also watches the alarms its temporary canary stack creates, named only once it exists. */
  readonly stackAlarms: boolean;
  readonly analysis?: PlannedAnalysis;
  readonly duration: ExpectedDuration;
}

/** Why a plan cannot run now. */
export type PlanBlocker =
  | { readonly kind: 'denied'; readonly denial: StartDenial }
  | { readonly kind: 'noInstances'; readonly fleet: PlannedFleet; readonly instances: InstanceCount }
  | { readonly kind: 'missingAlarms'; readonly names: readonly string[] };

export interface SurveyedFleet extends PlannedFleet {
  readonly instances: InstanceCount;
}

/** A plan with what was read of the world now. `blockers` is empty when pressing Run would start it. */
export interface PlanPreview extends Omit<PlanOutline, 'fleets'> {
  /** As `requestRelease` planned it; never saved. */
  readonly release: Release;
  readonly fleets: readonly SurveyedFleet[];
  readonly alarmStates: readonly AlarmNow[];
  readonly blockers: readonly PlanBlocker[];
  /** A release of the service in progress now: the start path decides what a Run does about it. */
  readonly activeReleaseId?: string;
}

/**
 * What a planned release acts on and watches, and how long it takes.
 *
 * @example
 * outlinePlan(mirrorRelease).fleets.map((f) => f.fleet) // ['canary', 'stable']
 */
export function outlinePlan(release: Release): PlanOutline {
  const watched = [
    ...release.policy.watchedAlarms,
    ...release.plan.flatMap((step) => (step.kind === 'validate' ? step.alarms : [])),
  ];
  const analysis = plannedAnalysis(release.policy);
  return {
    fleets: plannedFleets(release),
    alarms: [...new Set(existingAlarmNames(watched))],
    stackAlarms: watched.includes(STACK_OUTPUT.alarms),
    ...(analysis ? { analysis } : {}),
    duration: expectedDuration(release.plan),
  };
}

/** The fleets of the plan's and the rollback's host operations, each once, in the order the plan first uses them. */
export function plannedFleets(release: Pick<Release, 'plan' | 'undo'>): readonly PlannedFleet[] {
  const fleets = new Map<string, PlannedFleet>();
  for (const step of [...release.plan, ...release.undo]) {
    if (step.kind !== 'hostOperation') continue;
    const key = `${step.fleet} ${JSON.stringify(step.targets)}`;
    if (!fleets.has(key)) fleets.set(key, { fleet: step.fleet, tags: step.targets });
  }
  return [...fleets.values()];
}

/**
 * How long a plan watches (its windows and its bake), how many approvals wait for a person, and whether it waits
 * for a canary stack.
 *
 * @example
 * expectedDuration(planFor(mirror10Window900Bake300)) // { watchingSeconds: 1200, windows: [900], bakeSeconds: 300, approvals: 1, waitsForStack: false }
 */
export function expectedDuration(plan: readonly Step[]): ExpectedDuration {
  const windows = plan.flatMap((s) =>
    s.kind === 'validate' && s.state === 'verifying' ? [s.windowSeconds] : [],
  );
  const bakeSeconds = plan.reduce(
    (sum, s) => sum + (s.kind === 'validate' && s.state === 'baking' ? s.windowSeconds : 0),
    0,
  );
  return {
    watchingSeconds: windows.reduce((sum, seconds) => sum + seconds, 0) + bakeSeconds,
    windows,
    bakeSeconds,
    approvals: plan.filter((s) => s.kind === 'approval').length,
    waitsForStack: plan.some(
      (s) => s.kind === 'awaitCanaryStack' || (s.kind === 'canaryStack' && s.action === 'create'),
    ),
  };
}

/** The release's canary analysis, when the service has one. */
export function plannedAnalysis(policy: ReleasePolicy): PlannedAnalysis | undefined {
  const { analysis } = policy;
  if (analysis === undefined) return undefined;
  return {
    judged: analysis.metrics.flatMap((m) => (m.role === 'judged' ? [m.definition.name] : [])),
    against: analysis.baseline === 'precedingSpan' ? 'oldColour' : 'stable',
    intervalSeconds: analysis.intervalSeconds,
    minimumRequests: analysis.settings.minimumRequests,
    thresholds: analysis.settings.thresholds,
    bake: policy.bakeAnalysis !== undefined,
  };
}

/**
 * The plan with what the survey read, and why it cannot run: the access policy's refusal (who, where, a freeze), a
 * fleet with no instance that Run Command can reach, a watched alarm that does not exist.
 *
 * @example
 * previewOf(release, outline, { fleets: [{ all: 0, online: 0 }, …], alarms }, { denial: null }).blockers
 * // [{ kind: 'noInstances', fleet: { fleet: 'canary', tags: {…} }, instances: { all: 0, online: 0 } }]
 */
export function previewOf(
  release: Release,
  outline: PlanOutline,
  survey: PlanSurveyAnswer,
  access: { readonly denial: StartDenial | null; readonly activeReleaseId?: string | null },
): PlanPreview {
  const fleets = outline.fleets.map((fleet, index) => ({
    ...fleet,
    instances: survey.fleets[index] ?? { all: 0, online: 0 },
  }));
  const missing = survey.alarms.flatMap((alarm) => ('missing' in alarm ? [alarm.name] : []));
  const blockers: PlanBlocker[] = [
    ...(access.denial ? [{ kind: 'denied', denial: access.denial } as const] : []),
    ...fleets.flatMap(({ instances, ...fleet }) =>
      instances.online === 0 ? [{ kind: 'noInstances', fleet, instances } as const] : [],
    ),
    ...(missing.length > 0 ? [{ kind: 'missingAlarms', names: missing } as const] : []),
  ];
  return {
    ...outline,
    release,
    fleets,
    alarmStates: survey.alarms,
    blockers,
    ...(access.activeReleaseId ? { activeReleaseId: access.activeReleaseId } : {}),
  };
}

import { analysisForSpan } from '../domain/canary-analysis';
import { ListenerSwitchRefusedError, TargetGateRefusedError } from '../domain/errors';
import { assertNever } from '../domain/plan';
import type {
  AlarmReader,
  CanaryMetrics,
  CanaryStacks,
  EvidenceCharts,
  FleetOperator,
  HookCaller,
  ListenerSwitch,
  Notifier,
  PendingEffect,
  ReleaseStore,
  ReleaseThread,
  TargetGroups,
  Timers,
  VersionRegistry,
} from '../domain/ports';
import { gateIdOf, isRolloutRun } from '../domain/rollout-batches';
import type { Effect, Release, ReleaseEvent } from '../domain/types';
import { runCanaryStackEffect } from './canary-stack-effects';

export interface EffectPorts {
  readonly store: ReleaseStore;
  readonly fleet: FleetOperator;
  readonly timers: Timers;
  readonly alarms: AlarmReader;
  readonly notifier: Notifier;
  readonly versions: VersionRegistry;
  readonly listeners: ListenerSwitch;
  readonly targets: TargetGroups;
  readonly metrics: CanaryMetrics;
  readonly charts: EvidenceCharts;
  readonly thread: ReleaseThread;
  readonly stacks: CanaryStacks;
  readonly hooks: HookCaller;
}

/** An event an effect produced (a command id, alarm readings) with an id derived from the effect, so a rerun dedupes. */
export interface FollowUp {
  readonly releaseId: string;
  readonly eventId: string;
  readonly event: ReleaseEvent;
}

export interface RunSummary {
  readonly followUps: readonly FollowUp[];
  readonly failed: readonly { readonly effect: PendingEffect; readonly error: unknown }[];
}

/**
 * Runs outbox effects through the ports, then removes the ones that ran from the outbox.
 * Every effect is safe to run twice (a Lambda can die after running it and before completing it):
 * host scripts are idempotent, timers are named, alarm reads are reads, version records overwrite,
 * and card updates replace the message. A failed effect stays in the outbox for the sweeper.
 *
 * @example
 * const { followUps } = await runEffects(ports, release, pending);
 */
export async function runEffects(
  ports: EffectPorts,
  release: Release,
  pending: readonly PendingEffect[],
): Promise<RunSummary> {
  const followUps: FollowUp[] = [];
  const failed: { effect: PendingEffect; error: unknown }[] = [];
  const done: PendingEffect[] = [];
  for (const item of pending) {
    try {
      const event = await runOne(ports, release, item);
      if (event) followUps.push({ releaseId: item.releaseId, eventId: `${item.id}:result`, event });
      done.push(item);
    } catch (error) {
      failed.push({ effect: item, error });
    }
  }
  if (done.length > 0) await ports.store.completeEffects(done);
  return { followUps, failed };
}

async function runOne(
  ports: EffectPorts,
  release: Release,
  item: PendingEffect,
): Promise<ReleaseEvent | null> {
  const effect = item.effect;
  switch (effect.kind) {
    case 'runHostOperation': {
      const { commandId } = await ports.fleet.run(item.releaseId, effect);
      return { kind: 'hostOperationDispatched', stepId: effect.stepId, commandId };
    }
    case 'cancelHostOperation':
      await ports.fleet.cancel(effect.commandId);
      return null;
    case 'setTimer':
      await ports.timers.set(item.releaseId, effect.timerId, effect.at);
      return null;
    case 'cancelTimer':
      await ports.timers.cancel(effect.timerId);
      return null;
    case 'checkAlarms': {
      const alarms = await ports.alarms.read(effect.alarmNames);
      return { kind: 'alarmsChecked', checkId: effect.checkId, alarms };
    }
    case 'notify':
      await ports.notifier.releaseChanged(release, effect);
      return null;
    case 'recordCurrentVersion':
      await ports.versions.record(effect.service, effect.version);
      return null;
    case 'switchListener':
      return switchListener(ports, item.releaseId, effect);
    case 'gateTargets':
      return gateTargets(ports, item.releaseId, effect);
    case 'analyseCanary':
      return analyseCanary(ports, release, effect);
    case 'countPath': {
      const counts = await ports.metrics.pathCounts(effect.services, effect.span);
      return { kind: 'pathCounted', countId: effect.countId, until: effect.span.to, counts };
    }
    case 'postEvidenceChart':
      return postEvidenceChart(ports, release, effect);
    case 'callHook':
      return callHook(ports, release, effect);
    case 'createCanaryStack':
    case 'deleteCanaryStack':
      return runCanaryStackEffect(ports, item.releaseId, effect);
    default:
      return assertNever(effect);
  }
}

/**
 * Switches only while the release still runs this switch: a switch the sweeper retries after the release gave up
 * on it (and switched back) must not move the listener again. A refusal is reported; anything else is retried.
 */
async function switchListener(
  ports: EffectPorts,
  releaseId: string,
  effect: Extract<Effect, { kind: 'switchListener' }>,
): Promise<ReleaseEvent | null> {
  const current = await ports.store.load(releaseId);
  if (current?.run?.stepId !== effect.stepId) return null;
  try {
    const { listenerArn, ruleArn } = effect;
    const route = ruleArn ? { listenerArn, ruleArn } : { listenerArn };
    await ports.listeners.switch(route, effect.fromTargetGroupArn, effect.toTargetGroupArn);
  } catch (error) {
    if (!(error instanceof ListenerSwitchRefusedError)) throw error;
    return { kind: 'listenerSwitchFailed', stepId: effect.stepId, reason: error.message };
  }
  return { kind: 'listenerSwitched', stepId: effect.stepId };
}

/**
 * Moves hosts through the target groups only while the release still runs this very check: a drain the sweeper
 * retries after the rollout moved on must never take a serving host out of the load balancer again.
 */
async function gateTargets(
  ports: EffectPorts,
  releaseId: string,
  effect: Extract<Effect, { kind: 'gateTargets' }>,
): Promise<ReleaseEvent | null> {
  const run = (await ports.store.load(releaseId))?.run;
  if (run?.kind !== 'hostOperation' || !isRolloutRun(run) || gateIdOf(run) !== effect.gateId) return null;
  const { gateId, targetGroupArns, instanceIds, attempt } = effect;
  try {
    const report =
      effect.action === 'survey'
        ? await ports.targets.registered(targetGroupArns)
        : await ports.targets[effect.action](targetGroupArns, instanceIds, attempt);
    return { kind: 'targetsGated', gateId, report };
  } catch (error) {
    if (!(error instanceof TargetGateRefusedError)) throw error;
    return { kind: 'targetsGateFailed', gateId, reason: error.message };
  }
}

/**
 * Calls the hook only while the release still runs this very step: a call the sweeper retries after the release
 * moved on (or rolled back) must not run the hook again.
 */
async function callHook(
  ports: EffectPorts,
  release: Release,
  effect: Extract<Effect, { kind: 'callHook' }>,
): Promise<ReleaseEvent | null> {
  const current = await ports.store.load(effect.releaseId);
  if (current?.run?.stepId !== effect.stepId) return null;
  const { service, fromVersion, toVersion } = release;
  const request = {
    service,
    releaseId: release.id,
    hook: effect.name,
    point: effect.point,
    fromVersion,
    toVersion,
  };
  const { passed, output } = await ports.hooks.call(effect.target, request, effect.timeoutSeconds);
  return { kind: 'hookFinished', stepId: effect.stepId, passed, output };
}

/**
 * Reads the canary's and stable's metrics. A read that fails after the SDK's own retries (throttling, access
 * denied) comes back as unreadable, which the judge counts as no data: never a pass, and never a stuck window.
 */
async function analyseCanary(
  ports: EffectPorts,
  release: Release,
  effect: Extract<Effect, { kind: 'analyseCanary' }>,
): Promise<ReleaseEvent | null> {
  const { analysisId, span } = effect;
  const analysis = analysisForSpan(release.policy, span);
  if (analysis === undefined) return null;
  try {
    const reading = await ports.metrics.read(analysis.metrics, span);
    return { kind: 'canaryAnalysed', analysisId, outcome: { read: true, reading } };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { kind: 'canaryAnalysed', analysisId, outcome: { read: false, reason } };
  }
}

/** The chart of canary against stable over the window, in the release's thread. */
async function postEvidenceChart(
  ports: EffectPorts,
  release: Release,
  effect: Extract<Effect, { kind: 'postEvidenceChart' }>,
): Promise<null> {
  const analysis = analysisForSpan(release.policy, effect.span);
  if (analysis === undefined) return null;
  const title =
    effect.span.baseline === 'earlierSpan'
      ? `${release.service} ${release.toVersion}: the stable fleet after promotion against before the release`
      : `${release.service} ${release.toVersion}: canary against stable`;
  const image = await ports.charts.draw(analysis.metrics, effect.span, title);
  await ports.thread.postImage(release, image);
  return null;
}

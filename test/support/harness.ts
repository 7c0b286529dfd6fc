import { memoryCanaryStacks } from '../../adapters/memory-canary-stacks';
import { memoryListenerSwitch } from '../../adapters/memory-listener-switch';
import { memoryReleaseStore } from '../../adapters/memory-release-store';
import { memoryServiceConfigs } from '../../adapters/memory-service-configs';
import { memoryTargetGroups } from '../../adapters/memory-target-groups';
import { planPreviews } from '../../app/preview-start';
import { releaseService } from '../../app/release-service';
import type { PathCount } from '../../domain/group';
import type { PlanSurvey } from '../../domain/plan-survey';
import type {
  AlarmReading,
  EffectHandOff,
  EvidenceImage,
  HookRequest,
  ListenerSwitch,
  MetricsReading,
  MetricsSpan,
  Notification,
  Notifier,
  PendingEffect,
  ReleaseStore,
  VersionRegistry,
} from '../../domain/ports';
import type { ServiceConfig } from '../../domain/service-config';
import { addSeconds } from '../../domain/time';
import type { AlarmState, Instant, Release } from '../../domain/types';
import { serviceConfig } from '../../local/fixture-service-config';
import { commandDriver, type SentCommand } from './harness-commands';

/** The eight bytes every PNG starts with: enough of a picture for the thread's fake. */
const PNG_SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

export type { SentCommand } from './harness-commands';

/**
 * The release service wired to an in-memory store and recording fakes: the test composition root.
 * Fakes record what the engine asked for; tests play the outside world (SSM, CloudWatch, timers) back.
 */
export function harness(
  options: {
    configs?: ServiceConfig[];
    versions?: Record<string, string>;
    store?: ReleaseStore;
    /** Told after the recording notifier, like the Slack card in the Lambda composition. */
    notifier?: Notifier;
    /** Blue/green listeners and the target group each forwards to. */
    listeners?: Record<string, string>;
    /** Target groups and the instances registered in each (a drained promotion's). */
    targetGroups?: Record<string, readonly string[]>;
    /** Their deregistration delay, on the harness's clock (default 0). */
    drainSeconds?: number;
    /** How CloudFormation answers a temporary canary stack's create. */
    stacks?: Parameters<typeof memoryCanaryStacks>[0];
    /** How each hook (by name) answers; it passes, saying "ok", unless told (an Error: the call itself fails). */
    hookAnswers?: Record<string, { passed: boolean; output: string } | Error>;
  } = {},
) {
  let now: Instant = '2026-11-22T14:00:00.000Z';
  let nextCommand = 1;
  let nextRelease = 1;
  const versions = new Map(Object.entries(options.versions ?? { 'orders-api': '1.4.1' }));
  const recordedVersions: { service: string; version: string }[] = [];
  const commands: SentCommand[] = [];
  const cancelled: string[] = [];
  const hostOutputs = new Map<string, string>();
  const timers = new Map<string, { releaseId: string; at: Instant }>();
  const alarmStates = new Map<string, { state: AlarmState; since: Instant }>();
  const notices: { release: Release; notice: Notification }[] = [];
  const failedEffects: PendingEffect[] = [];
  const store = options.store ?? memoryReleaseStore();
  const listeners = memoryListenerSwitch(options.listeners);
  const stacks = memoryCanaryStacks(options.stacks);
  const hookCalls: HookRequest[] = [];
  /** Instances whose health check fails from now on: admitted, they stay `initial`. */
  const unhealthyTargets = new Set<string>();
  const targetGroups = memoryTargetGroups({
    registered: options.targetGroups ?? {},
    healthCheck: async (_arn, id) => !unhealthyTargets.has(id),
    drainMs: (options.drainSeconds ?? 0) * 1000,
    now: () => Date.parse(now),
  });
  /** Set to make the next listener switches fail, as ELB throttling would: the effect stays in the outbox. */
  let listenerFailures = 0;
  const listenerPort: ListenerSwitch = {
    liveTargetGroup: (route) => listeners.liveTargetGroup(route),
    switch: async (route, from, to) => {
      if (listenerFailures > 0) {
        listenerFailures--;
        throw new Error('ThrottlingException: Rate exceeded');
      }
      await listeners.switch(route, from, to);
    },
  };
  /** Set to make the next fleet calls fail, as if the Lambda died or SSM throttled before the command went out. */
  let fleetFailures = 0;
  /** What GetMetricData answers from now on: figures, or an error (throttled, access denied). */
  let metricsAnswer: MetricsReading | Error = { canaryRequests: 0, data: {} };
  const metricReads: MetricsSpan[] = [];
  let pathAnswer: Record<string, PathCount> = {};
  const charts: { releaseId: string; span: MetricsSpan; image: EvidenceImage }[] = [];
  const drawn = new Map<string, MetricsSpan>();

  const configSource = memoryServiceConfigs(options.configs ?? [serviceConfig()]);
  const versionSource: VersionRegistry = {
    current: async (name) => versions.get(name) ?? null,
    record: async (name, version) => {
      versions.set(name, version);
      recordedVersions.push({ service: name, version });
    },
  };

  /** Alarms CloudWatch does not have (a typo, a deleted alarm): a start that watches one is refused. */
  const absentAlarms = new Set<string>();
  // What both compositions share: the store, configuration, versions, the listener, the clock and ids.
  const core = {
    alarmCatalog: { missing: async (names: readonly string[]) => names.filter((n) => absentAlarms.has(n)) },
    store,
    configs: configSource,
    versions: versionSource,
    listeners: listenerPort,
    clock: { now: () => now },
    ids: { releaseId: (svc: string) => `${svc}-r${nextRelease++}` },
  };
  const service = releaseService({
    ...core,
    fleet: {
      run: async (releaseId, operation) => {
        if (fleetFailures > 0) {
          fleetFailures--;
          throw new Error('ThrottlingException: Rate exceeded');
        }
        const commandId = `cmd-${nextCommand++}`;
        commands.push({ commandId, releaseId, operation });
        return { commandId };
      },
      cancel: async (commandId) => {
        cancelled.push(commandId);
      },
      output: async (commandId, hostId) => hostOutputs.get(`${commandId} ${hostId}`),
    },
    targets: targetGroups,
    timers: {
      set: async (releaseId, timerId, at) => {
        timers.set(timerId, { releaseId, at });
      },
      cancel: async (timerId) => {
        timers.delete(timerId);
      },
    },
    alarms: {
      read: async (names): Promise<AlarmReading[]> =>
        names.map((name) => {
          const alarm = alarmStates.get(name) ?? { state: 'OK', since: '2026-01-01T00:00:00.000Z' };
          return { name, ...alarm, reason: 'test reading' };
        }),
    },
    notifier: {
      releaseChanged: async (release, notice) => {
        notices.push({ release, notice });
        await options.notifier?.releaseChanged(release, notice);
      },
    },
    metrics: {
      read: async (_metrics, span) => {
        metricReads.push(span);
        if (metricsAnswer instanceof Error) throw metricsAnswer;
        return metricsAnswer;
      },
      pathCounts: async (services) =>
        Object.fromEntries(services.map((s) => [s, pathAnswer[s] ?? { tagged: 0, untagged: 0 }])),
    },
    charts: {
      draw: async (_metrics, span, title) => {
        drawn.set(title, span);
        return { png: PNG_SIGNATURE, filename: 'canary-vs-stable.png', title, altText: title };
      },
    },
    thread: {
      postImage: async (release, image) => {
        charts.push({ releaseId: release.id, span: drawn.get(image.title) as MetricsSpan, image });
      },
    },
    stacks,
    hooks: {
      call: async (_target, request) => {
        hookCalls.push(request);
        const answer = options.hookAnswers?.[request.hook] ?? { passed: true, output: 'ok' };
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    onEffectFailed: (effect) => failedEffects.push(effect),
  });

  /** The same use cases as the Slack function composes them: effects are handed off, not run. */
  function handingOff(handOff: EffectHandOff) {
    return releaseService({ ...core, handOff });
  }

  /** `/canary plan` as the Slack function composes it; a test that previews nothing gets a survey that fails it. */
  function previewing(
    survey: PlanSurvey = { survey: () => Promise.reject(new Error('no survey was given')) },
  ) {
    return planPreviews({ ...core, survey });
  }

  const { lastCommand, finishCommand } = commandDriver(service, commands);

  /** Lets the clock run to the validation window's timer and fires it. */
  async function elapseWindow(releaseId: string) {
    return fireTimer(releaseId, (timerId) => !timerId.includes('.interval.'));
  }

  /** Lets the clock run to the analysis' next interval timer and fires it. */
  async function elapseInterval(releaseId: string) {
    return fireTimer(releaseId, (timerId) => timerId.includes('.interval.'));
  }

  async function fireTimer(releaseId: string, which: (timerId: string) => boolean) {
    const [timerId, timer] =
      [...timers.entries()].find(([id, t]) => t.releaseId === releaseId && which(id)) ?? [];
    if (!timerId || !timer) throw new Error('no such timer is set');
    if (timer.at > now) now = timer.at;
    timers.delete(timerId);
    return service.apply(releaseId, { kind: 'timerElapsed', timerId });
  }

  return {
    service,
    handingOff,
    previewing,
    store,
    commands,
    cancelled,
    timers,
    notices,
    recordedVersions,
    failedEffects,
    versions,
    listeners,
    targetGroups,
    stacks,
    hookCalls,
    /** From now on the instance fails its health check (true) or passes it (false). */
    setTargetUnhealthy: (instanceId: string, unhealthy = true) => {
      if (unhealthy) unhealthyTargets.add(instanceId);
      else unhealthyTargets.delete(instanceId);
    },
    lastCommand,
    finishCommand,
    elapseWindow,
    elapseInterval,
    /** Lets the clock run to the first timer `which` picks and fires it. */
    fireTimer,
    metricReads,
    charts,
    /** What each service's path counts read answers from now on (zero for a service not named). */
    answerPath: (counts: Record<string, PathCount>) => {
      pathAnswer = counts;
    },
    /** What the metrics read answers from now on: figures, or an error the read throws. */
    answerMetrics: (answer: MetricsReading | Error) => {
      metricsAnswer = answer;
    },
    /** What DescribeAlarms answers for `name` from now on: `state` since `since` (now unless told). */
    setAlarm: (name: string, state: AlarmState, since?: Instant) => {
      const known = alarmStates.get(name);
      const at = since ?? now;
      if (known === undefined || known.since <= at) alarmStates.set(name, { state, since: at });
    },
    /** CloudWatch has no alarm called `name` from now on. */
    deleteAlarm: (name: string) => {
      absentAlarms.add(name);
    },
    /** What GetCommandInvocation answers for the host's invocation of the command from now on. */
    setHostOutput: (commandId: string, hostId: string, output: string) => {
      hostOutputs.set(`${commandId} ${hostId}`, output);
    },
    failFleetCalls: (count: number) => {
      fleetFailures = count;
    },
    failListenerCalls: (count: number) => {
      listenerFailures = count;
    },
    advance: (seconds: number) => {
      now = addSeconds(now, seconds);
    },
    /** Moves the clock forward to `at`; never back. */
    advanceTo: (at: Instant) => {
      if (at > now) now = at;
    },
    now: () => now,
    load: async (releaseId: string) => {
      const release = await store.load(releaseId);
      if (!release) throw new Error(`release ${releaseId} not found`);
      return release;
    },
  };
}

/**
 * The sandbox's composition root: the same handlers, use cases and domain that run on Lambda, composed with
 * local stand-ins where AWS cannot run here (DynamoDB Local for state, an in-process EventBridge that routes by
 * serverless.yml's own patterns, local timers, a Run Command that runs the real SSM documents against nginx
 * hosts on loopback, CloudWatch-like 5XX alarms on the canary's load balancer and on each blue/green colour, and
 * the service's load balancer listener in memory).
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cloudWatchCanaryMetrics } from '../adapters/cloudwatch-canary-metrics';
import { dynamoCardRefs } from '../adapters/dynamo-card-refs';
import { dynamoReleaseStore } from '../adapters/dynamo-release-store';
import { effectsPending } from '../adapters/internal-events';
import { memoryListenerSwitch } from '../adapters/memory-listener-switch';
import { slackReleaseCards } from '../adapters/slack-release-cards';
import { slackReleaseThread } from '../adapters/slack-release-thread';
import { freezeService } from '../app/freeze-service';
import { type ReleaseService, releaseService } from '../app/release-service';
import type { Clock, IdSource, Notifier, ServiceConfigs, VersionRegistry } from '../domain/ports';
import type { Release } from '../domain/types';
import { alarmHandler } from '../handlers/alarm';
import { allNotifiers, logger } from '../handlers/compose';
import { effectsHandler } from '../handlers/effects';
import { pipelineHandler } from '../handlers/pipeline';
import type { SlackDeps } from '../handlers/slack/command-answers';
import { ssmCommandHandler } from '../handlers/ssm-command';
import { sweeperHandler } from '../handlers/sweeper';
import { timerHandler } from '../handlers/timer';
import { spawnLocalDynamo } from './dynamodb-local';
import { type DeliveryFailure, localEventBus } from './event-bus';
import { localEvidenceCharts } from './evidence-charts';
import { localFleetOperator } from './local-fleet-operator';
import { localTimers } from './local-timers';
import { sandboxAlarms } from './sandbox-alarms';
import { BLUE_GREEN, CANARY_ALARM, INITIAL_VERSION, sandboxServiceConfig } from './sandbox-config';
import { sandboxFleet } from './sandbox-fleet';
import { sandboxCloudWatch } from './sandbox-metrics';
import { sandboxSlack } from './sandbox-slack';
import { eventRules, readServerlessYml } from './serverless-yml';
import { skippingClock } from './skipping-clock';
import type { SlackStandin } from './slack-standin';

export interface SandboxOptions {
  /** The folder that holds every file the sandbox writes (hosts, logs). */
  readonly dir: string;
  /** How much faster than real time timers run (validation windows). */
  readonly speedUp?: number;
  /** Extra notifiers (the Slack living message, a console timeline). */
  readonly notifiers?: readonly Notifier[];
  readonly onDeadLetter?: (failure: DeliveryFailure) => void;
  /** The console's port (0: any free one). */
  readonly consolePort?: number;
  /** Post release cards to a real Slack workspace instead of the console (Socket Mode development). */
  readonly realSlack?: {
    readonly botToken: string;
    readonly channel: string;
    readonly approvers: readonly string[];
  };
}

export interface Sandbox {
  readonly service: ReleaseService;
  readonly store: ReturnType<typeof dynamoReleaseStore>;
  readonly fleet: Awaited<ReturnType<typeof sandboxFleet>>;
  readonly clock: Clock;
  readonly stableUrl: string;
  readonly canaryUrl: string;
  /** The Slack stand-in: Web API, response URLs, and the console page people use. */
  readonly slack: SlackStandin;
  readonly consoleUrl: string;
  /** What the Slack listeners need: the use cases (handing effects off, as on Lambda) and read access. */
  readonly slackDeps: SlackDeps;
  /** The service's load balancer listener: which colour's target group it forwards to. */
  readonly listeners: ReturnType<typeof memoryListenerSwitch>;
  /** When a sandbox alarm last went to ALARM (real ms, not the sandbox clock), for the alarm-to-rollback figure. */
  readonly alarmFiredAt: () => number | undefined;
  /** The state of a sandbox alarm: the canary's 5XX alarm unless named. */
  readonly alarmState: (alarmName?: string) => 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** Resolves once `release` reaches a state `until` accepts. Driven by store changes, not by polling AWS. */
  waitFor(releaseId: string, until: (release: Release) => boolean, timeoutMs?: number): Promise<Release>;
  /** Resolves once every event on the buses has been handled (the effects of the last change included). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const stopping: (() => Promise<void> | void)[] = [];
  try {
    return await composeSandbox(options, stopping);
  } catch (error) {
    // A sandbox that fails half-way (a host that cannot be provisioned) stops what it had started.
    for (const stop of stopping.reverse())
      await Promise.resolve()
        .then(stop)
        .catch(() => undefined);
    throw error;
  }
}

async function composeSandbox(
  options: SandboxOptions,
  stopping: (() => Promise<void> | void)[],
): Promise<Sandbox> {
  mkdirSync(options.dir, { recursive: true });
  // nginx's workers run as another user: they must reach the hosts' files, the drain switch among them.
  chmodSync(options.dir, 0o755);
  logger.setLogLevel('WARN');
  const config = sandboxServiceConfig(options.realSlack);
  const clock = skippingClock();
  const changed = new Set<() => void>();

  const dynamo = await spawnLocalDynamo();
  stopping.push(() => dynamo.stop());
  const table = await dynamo.createReleasesTable();
  const store = dynamoReleaseStore(dynamo.client, table);

  let bus: ReturnType<typeof localEventBus> | undefined;
  const publish = (target: 'default' | 'agent') => (event: unknown) => bus?.publish(target, event);
  // Timers and the Slack hand-off invoke their function directly, as on Lambda: they never cross a bus.
  const invokeAsync = (functionName: string) => (event: unknown) => bus?.invokeAsync(functionName, event);
  const alarms = sandboxAlarms(clock, publish('default'));
  stopping.push(() => alarms.stop());

  const listeners = memoryListenerSwitch({ [BLUE_GREEN.listenerArn]: BLUE_GREEN.blue.targetGroupArn });
  const fleet = await sandboxFleet({
    dir: options.dir,
    now: clock.nowMs,
    config,
    colourHosts: 2,
    canaryHosts: 1,
    liveColour: () =>
      listeners.forwardsTo(BLUE_GREEN.listenerArn) === BLUE_GREEN.green.targetGroupArn ? 'green' : 'blue',
    onCanaryResponse: alarms.evaluatorOf(CANARY_ALARM).record,
    onColourResponse: (colour, status, atMs) =>
      alarms.evaluatorOf(BLUE_GREEN[colour].alarm).record(status, atMs),
  });
  stopping.push(() => fleet.stop());
  await fleet.start(INITIAL_VERSION);
  alarms.start(fleet.hosts, config.service);
  const cloudWatch = sandboxCloudWatch(fleet);
  await cloudWatch.start();
  stopping.push(() => cloudWatch.stop());

  const versions = new Map([[config.service, INITIAL_VERSION]]);
  const versionRegistry: VersionRegistry = {
    current: async (name) => versions.get(name) ?? null,
    record: async (name, version) => void versions.set(name, version),
  };
  const configs: ServiceConfigs = {
    get: async (name) => (name === config.service ? { ok: true, config } : null),
  };
  const timers = localTimers(invokeAsync('timer'), options.speedUp ?? 20, clock);
  stopping.push(() => timers.stop());
  const operator = localFleetOperator({
    fleet,
    documentPrefix: `${readServerlessYml().service}-dev`,
    publish: publish('default'),
  });
  // Slack: the real Slack function behind a loopback HTTP API, its Web API calls answered by the stand-in.
  const { slack, consoleUrl, cardClient } = await sandboxSlack(
    { ...options, channel: config.slack.channel, deps: () => slackDeps },
    stopping,
  );
  const cardRefs = dynamoCardRefs(dynamo.client, table);
  const slackClient = async () => cardClient;
  const cards = slackReleaseCards({
    client: slackClient,
    cards: cardRefs,
    releases: store,
    clock,
  });

  const storeChanges: Notifier = {
    releaseChanged: async () => {
      for (const listener of changed) listener();
    },
  };

  const ids: IdSource = {
    releaseId: (name, now) => `${name}-${now.replace(/\D/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`,
  };
  // What both compositions of the release service share: state, configuration, the listener, clock and ids.
  const core = {
    ...{ store, configs, versions: versionRegistry, listeners, clock, ids },
    alarmCatalog: alarms.catalog,
  };
  const service = releaseService({
    ...core,
    fleet: operator,
    timers,
    alarms: alarms.reader,
    metrics: cloudWatchCanaryMetrics(cloudWatch.client()),
    // The chart CloudWatch would draw, drawn here from the same GetMetricData, and posted in the card's thread.
    charts: localEvidenceCharts({
      getMetricData: async (input) => ({ ...cloudWatch.getMetricData(input), $metadata: {} }),
    }),
    thread: slackReleaseThread({ client: slackClient, cards: cardRefs }),
    notifier: allNotifiers(storeChanges, cards, ...(options.notifiers ?? [])),
    onEffectFailed: (effect, error) =>
      logger.warn('effect failed', { effect: effect.effect.kind, error: String(error) }),
  });
  // As on Lambda, the Slack function only records changes and hands their effects to the `effects` function.
  const slackDeps: SlackDeps = {
    store,
    configs,
    // The sandbox's approvers may also freeze every service, so that `/canary freeze all` can be tried out.
    freezes: freezeService({ store, configs, clock, admins: { users: config.approvals.users, groups: [] } }),
    service: releaseService({
      ...core,
      handOff: { handOff: async (releaseId) => invokeAsync('effects')(effectsPending(releaseId)) },
    }),
  };
  const agent = { service, store, configs, versions: versionRegistry, clock };
  const source = async () => agent;
  bus = localEventBus({
    rules: eventRules(),
    handlers: {
      alarm: alarmHandler(source),
      ssmCommand: ssmCommandHandler(source),
      pipeline: pipelineHandler(source),
      timer: timerHandler(source),
      effects: effectsHandler(source),
    },
    onDeadLetter: options.onDeadLetter,
  });
  const sweeper = sweeperHandler(source, async () => ({
    recover: async () => ({ checked: 0, recovered: 0 }),
  }));
  const sweeping = setInterval(() => void sweeper({}, {} as never), 5_000);
  stopping.push(() => clearInterval(sweeping));

  function waitFor(
    releaseId: string,
    until: (release: Release) => boolean,
    timeoutMs = 60_000,
  ): Promise<Release> {
    return new Promise((resolve, reject) => {
      const check = async () => {
        const release = await store.load(releaseId);
        if (release && until(release)) {
          changed.delete(listener);
          clearTimeout(timer);
          resolve(release);
        }
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        changed.delete(listener);
        reject(new Error(`release ${releaseId} did not get there within ${timeoutMs} ms`));
      }, timeoutMs);
      changed.add(listener);
      void check();
    });
  }

  return {
    service,
    store,
    fleet,
    clock,
    stableUrl: `http://127.0.0.1:${fleet.stableLb.port()}`,
    canaryUrl: `http://127.0.0.1:${fleet.canaryLb.port()}`,
    slack,
    consoleUrl,
    slackDeps,
    listeners,
    alarmFiredAt: alarms.firedAt,
    alarmState: (name = CANARY_ALARM) => alarms.evaluatorOf(name).state(),
    waitFor,
    settled: async () => {
      await bus?.settled();
    },
    async stop() {
      // First nothing new: no sweeps, alarm evaluations or timers, and no new host operation. Then wait for what
      // runs (and the events it publishes), and only then stop the hosts, so no proxy outlives the sandbox.
      clearInterval(sweeping);
      alarms.stop();
      timers.stop();
      operator.close();
      await operator.settled();
      await bus?.settled();
      for (const stop of stopping.reverse()) await stop();
    },
  };
}

export function sandboxDir(base = join(process.cwd(), '.sandbox')): string {
  return join(base, new Date().toISOString().replace(/[:.]/g, '-'));
}

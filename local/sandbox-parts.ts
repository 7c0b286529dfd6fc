/** The parts the sandbox's composition root (local/sandbox.ts) puts together. */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import type { WebClient } from '@slack/web-api';
import { cloudWatchCanaryMetrics } from '../adapters/cloudwatch-canary-metrics';
import { dynamoCardRefs } from '../adapters/dynamo-card-refs';
import { dynamoReleaseStore } from '../adapters/dynamo-release-store';
import { hookCaller } from '../adapters/hook-caller';
import { effectsPending } from '../adapters/internal-events';
import { memoryCanaryStacks } from '../adapters/memory-canary-stacks';
import { memoryListenerSwitch } from '../adapters/memory-listener-switch';
import { memoryServiceConfigs } from '../adapters/memory-service-configs';
import { slackReleaseCards } from '../adapters/slack-release-cards';
import { slackReleaseThread } from '../adapters/slack-release-thread';
import { freezeService } from '../app/freeze-service';
import { surveyWith } from '../app/plan-survey';
import { planPreviews } from '../app/preview-start';
import { releaseService } from '../app/release-service';
import { fleetWithRoutingLists, type RoutingListEffects } from '../app/routing-list-effects';
import type { Clock, HookCaller, IdSource, Notifier, VersionRegistry } from '../domain/ports';
import type { ServiceConfig } from '../domain/service-config';
import type { Release } from '../domain/types';
import { alarmHandler } from '../handlers/alarm';
import { canaryStackHandler } from '../handlers/canary-stack';
import { type AgentSource, allNotifiers, logger } from '../handlers/compose';
import { effectsHandler } from '../handlers/effects';
import { pipelineHandler } from '../handlers/pipeline';
import type { SlackDeps } from '../handlers/slack/command-answers';
import { ssmCommandHandler } from '../handlers/ssm-command';
import { sweeperHandler } from '../handlers/sweeper';
import { timerHandler } from '../handlers/timer';
import { spawnLocalDynamo } from './dynamodb-local';
import { localEventBus } from './event-bus';
import { localEvidenceCharts } from './evidence-charts';
import { localFleetOperator } from './local-fleet-operator';
import { localTimers } from './local-timers';
import type { SandboxOptions } from './sandbox';
import { sandboxAlarms } from './sandbox-alarms';
import { chainTargetGroups, startFleets } from './sandbox-chain';
import { CHAIN_ALARM_THRESHOLDS } from './sandbox-chain-config';
import { BLUE_GREEN, CANARY_ALARM, INITIAL_VERSION } from './sandbox-config';
import { sandboxFleet, sandboxNetwork } from './sandbox-fleet';
import { sandboxCloudWatch } from './sandbox-metrics';
import { pathCountSources } from './sandbox-path-metrics';
import { sandboxRoutingLists } from './sandbox-routing-lists';
import { ordersTargetGroups, sandboxTargetGroups } from './sandbox-target-groups';
import { eventRules, readServerlessYml } from './serverless-yml';
import type { skippingClock } from './skipping-clock';

/** The sandbox's canary is on its standing canary fleet; a temporary stack would need CloudFormation. */
const sandboxStacks = memoryCanaryStacks({
  refuse: () => 'the sandbox has no CloudFormation: its canary runs on the standing canary fleet',
});

/**
 * The sandbox calls a URL hook for real (signed with a sandbox secret); it has no Lambda, so a Lambda hook fails
 * with a reason that says so.
 */
const sandboxHooks: HookCaller = hookCaller({
  functionPrefix: 'canary-agent-sandbox-',
  signingSecret: async () => 'sandbox-hook-signing-secret',
});

/** Where AWS cannot run here: DynamoDB Local, the alarms, the listener, the hosts and their load balancers, metrics. */
export async function startAwsStandIns(
  parts: {
    readonly dir: string;
    readonly speedUp?: number;
    readonly config: ServiceConfig;
    readonly clock: ReturnType<typeof skippingClock>;
    readonly publish: (event: unknown) => void;
    readonly invokeAsync: (functionName: string) => (event: unknown) => void;
    /** Also front and payments around orders-api (SandboxOptions.chain). */
    readonly chain?: boolean;
  },
  stopping: (() => Promise<void> | void)[],
) {
  const { dir, clock, publish } = parts;
  mkdirSync(dir, { recursive: true });
  // nginx's workers run as another user: they must reach the hosts' files, the drain switch among them.
  chmodSync(dir, 0o755);
  const dynamo = await spawnLocalDynamo();
  stopping.push(() => dynamo.stop());
  const table = await dynamo.createReleasesTable();
  const store = dynamoReleaseStore(dynamo.client, table);
  const alarms = sandboxAlarms(clock, publish, parts.chain ? CHAIN_ALARM_THRESHOLDS : {});
  stopping.push(() => alarms.stop());
  const network = sandboxNetwork();

  const listeners = memoryListenerSwitch({ [BLUE_GREEN.listenerArn]: BLUE_GREEN.blue.targetGroupArn });
  const ordersFleet = async (config: ServiceConfig) => {
    const fleet = await sandboxFleet({
      dir,
      now: clock.nowMs,
      config,
      network,
      colourHosts: 2,
      canaryHosts: 1,
      liveColour: () =>
        listeners.forwardsTo(BLUE_GREEN.listenerArn) === BLUE_GREEN.green.targetGroupArn ? 'green' : 'blue',
      onCanaryResponse: alarms.evaluatorOf(CANARY_ALARM).record,
      onColourResponse: (colour, status, atMs) =>
        alarms.evaluatorOf(BLUE_GREEN[colour].alarm).record(status, atMs),
    });
    stopping.push(() => fleet.stop());
    return fleet;
  };
  const chainParts = {
    dir,
    network,
    now: clock.nowMs,
    alarms,
    ordersConfig: parts.config,
    chain: parts.chain,
  };
  const { config, fleet, chain, hosts } = await startFleets(chainParts, ordersFleet, stopping);
  const targeted = [ordersTargetGroups(fleet, config), ...chainTargetGroups(chain)];
  const targets = sandboxTargetGroups(targeted, clock.nowMs);
  alarms.start(fleet.hosts, config.service);
  const pathLogged = chain?.members.map((m) => ({ service: m.service, hosts: m.fleet.hosts })) ?? [
    { service: config.service, hosts: fleet.hosts },
  ];
  const paths = pathCountSources(pathLogged, clock.nowMs);
  // As often as the alarms are evaluated: each counted line lands in the period it was logged in.
  const shipping = setInterval(paths.poll, 250);
  stopping.push(() => clearInterval(shipping));
  const cloudWatch = sandboxCloudWatch(fleet, paths.sources);
  await cloudWatch.start();
  stopping.push(() => cloudWatch.stop());
  const speedUp = parts.speedUp ?? 20;
  const timers = localTimers(parts.invokeAsync('timer'), speedUp, clock);
  stopping.push(() => timers.stop());
  const documentPrefix = `${readServerlessYml().service}-dev`;
  const operator = localFleetOperator({ fleet: hosts, documentPrefix, publish });
  return {
    dynamo,
    table,
    store,
    alarms,
    listeners,
    targets,
    fleet,
    cloudWatch,
    timers,
    operator,
    speedUp,
    /** orders-api's configuration as stored: with the chain, its container calls payments. */
    config,
    chain,
    hosts,
  };
}

type ServiceParts = Awaited<ReturnType<typeof startAwsStandIns>> & {
  readonly clock: Clock;
  readonly cardClient: WebClient;
  readonly invokeAsync: (functionName: string) => (event: unknown) => void;
};

/** The release service twice, as on Lambda: the event functions run effects, the Slack function hands them off. */
export function composeServices(parts: ServiceParts, notifiers: readonly Notifier[]) {
  const { dynamo, table, store, alarms, listeners, cloudWatch, config, clock, invokeAsync } = parts;
  const versions = new Map([[config.service, INITIAL_VERSION]]);
  for (const member of parts.chain?.members ?? []) versions.set(member.service, member.initialVersion);
  const versionRegistry: VersionRegistry = {
    current: async (name) => versions.get(name) ?? null,
    record: async (name, version) => void versions.set(name, version),
  };
  // Where the agent reads each service's configuration (Parameter Store on AWS): every member of the chain.
  const configs = memoryServiceConfigs(parts.chain?.members.map((m) => m.config) ?? [config]);
  const ids: IdSource = {
    releaseId: (name, now) => `${name}-${now.replace(/\D/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`,
  };
  const cardRefs = dynamoCardRefs(dynamo.client, table);
  const slackClient = async () => parts.cardClient;
  // The card counts the time left as the sped-up timers will take it, not as the clock reads it.
  const cards = slackReleaseCards({
    client: slackClient,
    cards: cardRefs,
    releases: store,
    clock,
    speedUp: parts.speedUp,
  });
  const core = {
    store,
    configs,
    versions: versionRegistry,
    listeners,
    clock,
    ids,
    alarmCatalog: alarms.catalog,
  };
  const routing = sandboxRoutingLists({ fleet: parts.hosts, store, configs, invokeAsync });
  const service = releaseService({
    ...core,
    fleet: fleetWithRoutingLists(parts.operator, routing.lists),
    targets: parts.targets,
    timers: parts.timers,
    alarms: alarms.reader,
    metrics: cloudWatchCanaryMetrics(cloudWatch.client()),
    // The chart CloudWatch would draw, drawn here from the same GetMetricData, and posted in the card's thread.
    charts: localEvidenceCharts({
      getMetricData: async (input) => ({ ...cloudWatch.getMetricData(input), $metadata: {} }),
    }),
    thread: slackReleaseThread({ client: slackClient, cards: cardRefs }),
    stacks: sandboxStacks,
    hooks: sandboxHooks,
    notifier: allNotifiers(cards, ...notifiers),
    onEffectFailed: (effect, error) =>
      logger.warn('effect failed', { effect: effect.effect.kind, error: String(error) }),
  });
  const slackDeps: SlackDeps = {
    store,
    configs,
    // The sandbox's approvers may also freeze every service, so that `/canary freeze all` can be tried out.
    freezes: freezeService({ store, configs, clock, admins: { users: config.approvals.users, groups: [] } }),
    service: releaseService({
      ...core,
      handOff: { handOff: async (releaseId) => invokeAsync('effects')(effectsPending(releaseId)) },
    }),
    // The preflight function's part: the simulated hosts counted by their tags, the sandbox's own alarms read.
    plans: planPreviews({ ...core, survey: surveyWith(parts.hosts.census, alarms.states) }),
    lists: routing.requests,
  };
  const agent = { service, store, configs, versions: versionRegistry, clock };
  return { service, store, slackDeps, source: async () => agent, listEffects: routing.effects };
}

/** EventBridge on serverless.yml's own rules, in front of the same event handlers as in the cloud. */
export function eventBus(
  source: AgentSource,
  onDeadLetter: SandboxOptions['onDeadLetter'],
  listEffects: RoutingListEffects,
) {
  return localEventBus({
    rules: eventRules(),
    handlers: {
      alarm: alarmHandler(source),
      ssmCommand: ssmCommandHandler(source),
      pipeline: pipelineHandler(source),
      timer: timerHandler(source),
      effects: effectsHandler(source, async () => listEffects),
      canaryStack: canaryStackHandler(source, sandboxStacks, () => 'canary-agent-sandbox-'),
    },
    onDeadLetter,
  });
}

/** The sweeper on a short schedule; no SSM command is lost here, so it has nothing to recover. */
export function startSweeper(source: AgentSource): NodeJS.Timeout {
  const sweeper = sweeperHandler(source, async () => ({
    recover: async () => ({ checked: 0, recovered: 0 }),
  }));
  return setInterval(() => void sweeper({}, {} as never), 5_000);
}

/**
 * Waits for a release to reach a state: `notifier` hears every stored change, and `waitFor` checks the release
 * again on each one rather than polling.
 */
export function releaseWatch(store: ReturnType<typeof dynamoReleaseStore>) {
  const changed = new Set<() => void>();
  const notifier: Notifier = {
    releaseChanged: async () => {
      for (const listener of changed) listener();
    },
  };
  const waitFor = (releaseId: string, until: (release: Release) => boolean, timeoutMs = 60_000) =>
    new Promise<Release>((resolve, reject) => {
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
  return { notifier, waitFor };
}

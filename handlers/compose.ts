/**
 * The composition root of the functions that run effects (alarm, ssmCommand, pipeline, timer, effects, sweeper):
 * SDK clients are created once per container at module scope; the release service and its adapters are built
 * once, on first use, from the validated environment (handlers/config.ts). The Slack function has its own,
 * smaller root (handlers/compose-slack.ts); both share handlers/state-ports.ts.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { WebClient } from '@slack/web-api';
import { cloudWatchAlarmCatalog, cloudWatchAlarmReader } from '../adapters/cloudwatch-alarm-reader';
import { cloudWatchCanaryMetrics } from '../adapters/cloudwatch-canary-metrics';
import { cloudWatchEvidenceCharts } from '../adapters/cloudwatch-evidence-charts';
import { dynamoCardRefs } from '../adapters/dynamo-card-refs';
import { eventBridgePublisher } from '../adapters/eventbridge-publisher';
import { schedulerTimers } from '../adapters/scheduler-timers';
import { slackReleaseCards } from '../adapters/slack-release-cards';
import { slackReleaseThread } from '../adapters/slack-release-thread';
import { ssmCommandRecovery } from '../adapters/ssm-command-recovery';
import { ssmFleetOperator } from '../adapters/ssm-fleet-operator';
import { ssmRoutingListHosts } from '../adapters/ssm-routing-list-hosts';
import { ssmRoutingLists } from '../adapters/ssm-routing-lists';
import { type ReleaseService, releaseService } from '../app/release-service';
import {
  fleetWithRoutingLists,
  type RoutingListEffects,
  routingListEffects as routingListEffectsOf,
} from '../app/routing-list-effects';
import type {
  CanaryStacks,
  Clock,
  HookCaller,
  ListenerSwitch,
  Notifier,
  ReleaseStore,
  ServiceConfigs,
  TargetGroups,
  VersionRegistry,
} from '../domain/ports';
import { loadConfig } from './config';
import { logger } from './log';
import { slackSecrets } from './slack-secrets';
import { clock, ids, onEffectFailed, onReset, sdk, stateClients, statePorts } from './state-ports';

export { resetForTests } from './state-ports';
export { logger };

/** The SDK clients, one each per container (exported so benchmarks can count the requests they send). */
export const sdkClients = {
  ...stateClients,
  cloudWatch: new CloudWatchClient(sdk),
  eventBridge: new EventBridgeClient(sdk),
  scheduler: new SchedulerClient(sdk),
};

let elb: Promise<ListenerSwitch> | undefined;
/**
 * The ELB adapter, loaded on first use: only blue/green services need it (to read the live colour when a release
 * starts, and to switch it), so no cold start pays for loading its client (esbuild turns this dynamic import into
 * code that runs when called, not when the bundle loads).
 */
function loadListenerSwitch(): Promise<ListenerSwitch> {
  elb ??= import('../adapters/elb-listener-switch').then(({ elbListenerSwitchWithClient }) =>
    elbListenerSwitchWithClient(sdk),
  );
  return elb;
}
let stackAdapter: Promise<CanaryStacks> | undefined;
/** The CloudFormation adapter, loaded on first use: only services with a temporary canary stack need it. */
function loadCanaryStacks(): Promise<CanaryStacks> {
  stackAdapter ??= import('../adapters/cloudformation-canary-stacks').then(
    ({ cloudFormationCanaryStacksWithClient }) => {
      const env = loadConfig();
      return cloudFormationCanaryStacksWithClient(sdk, {
        stackPrefix: env.CANARY_STACK_PREFIX,
        roleArn: env.CANARY_STACK_ROLE_ARN,
      });
    },
  );
  return stackAdapter;
}
let hookAdapter: Promise<HookCaller> | undefined;
/**
 * The hook caller and its Lambda client, loaded on first use: only services with hooks need them. A URL hook's
 * body is signed with a SecureString the agent reads when it first needs it (and again after five minutes).
 */
function loadHooks(): Promise<HookCaller> {
  hookAdapter ??= Promise.all([import('../adapters/hook-caller'), import('@aws-sdk/client-lambda')]).then(
    ([{ hookCaller }, { LambdaClient }]) => {
      const env = loadConfig();
      let secret: { value: Promise<string>; at: number } | undefined;
      const signingSecret = () => {
        if (secret === undefined || Date.now() - secret.at > 300_000) {
          const value = stateClients.ssm
            .send(
              new GetParameterCommand({
                Name: `${env.PARAMETER_PATH}/hooks/signing-secret`,
                WithDecryption: true,
              }),
            )
            .then(({ Parameter }) => {
              if (!Parameter?.Value) throw new Error(`${env.PARAMETER_PATH}/hooks/signing-secret is empty`);
              return Parameter.Value;
            });
          value.catch(() => {
            secret = undefined;
          });
          secret = { value, at: Date.now() };
        }
        return secret.value;
      };
      return hookCaller({
        lambda: new LambdaClient(sdk),
        functionPrefix: env.CANARY_STACK_PREFIX,
        signingSecret,
      });
    },
  );
  return hookAdapter;
}
const hooks: HookCaller = { call: async (...args) => (await loadHooks()).call(...args) };

/** The releases' temporary canary stacks, through the adapter loaded on first use. */
export const canaryStacks: CanaryStacks = {
  create: async (request) => (await loadCanaryStacks()).create(request),
  delete: async (stackName, token) => (await loadCanaryStacks()).delete(stackName, token),
  describe: async (stackName, stackId) => (await loadCanaryStacks()).describe(stackName, stackId),
};

const listeners: ListenerSwitch = {
  liveTargetGroup: async (route) => (await loadListenerSwitch()).liveTargetGroup(route),
  switch: async (route, from, to) => (await loadListenerSwitch()).switch(route, from, to),
};

let elbTargets: Promise<TargetGroups> | undefined;
/** The target groups a drained promotion moves hosts through, loaded on first use like the listener switch. */
function loadTargetGroups(): Promise<TargetGroups> {
  elbTargets ??= import('../adapters/elb-target-groups').then(({ elbTargetGroupsWithClient }) =>
    elbTargetGroupsWithClient(sdk),
  );
  return elbTargets;
}
const targets: TargetGroups = {
  registered: async (arns) => (await loadTargetGroups()).registered(arns),
  drain: async (arns, ids, attempt) => (await loadTargetGroups()).drain(arns, ids, attempt),
  admit: async (arns, ids, attempt) => (await loadTargetGroups()).admit(arns, ids, attempt),
};

export interface Agent {
  readonly service: ReleaseService;
  readonly store: ReleaseStore;
  readonly configs: ServiceConfigs;
  readonly versions: VersionRegistry;
  readonly clock: Clock;
}

/** How a handler gets its agent: `agent` on Lambda; the sandbox and tests pass their own. */
export type AgentSource = () => Promise<Pick<Agent, 'service' | 'store'>>;

let built: Agent | undefined;
let web: { token: string; client: WebClient } | undefined;
onReset(() => {
  built = undefined;
  web = undefined;
  stackAdapter = undefined;
  lists = undefined;
  hookAdapter = undefined;
});

/** The release service and its ports, built once per container. Throws (naming the variable) on a bad environment. */
export async function agent(): Promise<Agent> {
  if (built) return built;
  const env = loadConfig();
  const ports = statePorts(env);
  const { store, configs, versions } = ports;
  const cards = dynamoCardRefs(sdkClients.dynamo, env.RELEASES_TABLE);
  const service = releaseService({
    ...ports,
    listeners,
    targets,
    alarmCatalog: cloudWatchAlarmCatalog(sdkClients.cloudWatch),
    clock,
    ids,
    // Each shift of traffic carries the live routing lists as stored when it is sent.
    fleet: fleetWithRoutingLists(
      ssmFleetOperator(sdkClients.ssm, commandOptions(env)),
      ssmRoutingLists(sdkClients.ssm, env.PARAMETER_PATH),
    ),
    timers: schedulerTimers(sdkClients.scheduler, {
      groupName: env.SCHEDULE_GROUP,
      functionArn: env.TIMER_FUNCTION_ARN,
      roleArn: env.SCHEDULER_ROLE_ARN,
      deadLetterArn: env.DEAD_LETTER_QUEUE_ARN,
      now: clock.now,
    }),
    alarms: cloudWatchAlarmReader(sdkClients.cloudWatch),
    metrics: cloudWatchCanaryMetrics(sdkClients.cloudWatch),
    charts: cloudWatchEvidenceCharts(sdkClients.cloudWatch),
    thread: slackReleaseThread({ client: slackClient, cards }),
    stacks: canaryStacks,
    hooks,
    notifier: allNotifiers(
      slackReleaseCards({ client: slackClient, cards, releases: store, clock }),
      eventBridgePublisher(sdkClients.eventBridge, { busName: env.AGENT_BUS_ARN }),
    ),
    onEffectFailed,
  });
  built = { service, store, configs, versions, clock };
  return built;
}

function commandOptions(env: ReturnType<typeof loadConfig>) {
  return {
    documentPrefix: env.SSM_DOCUMENT_PREFIX,
    maxConcurrency: env.COMMAND_MAX_CONCURRENCY,
    maxErrors: env.COMMAND_MAX_ERRORS,
    outputLogGroup: env.SSM_OUTPUT_LOG_GROUP,
  };
}

let lists: RoutingListEffects | undefined;
/** A change of the live routing lists, handed on by the Slack function: the list written, the hosts told. */
export async function routingListEffects(): Promise<RoutingListEffects> {
  if (lists) return lists;
  const env = loadConfig();
  const { store } = await agent();
  lists = routingListEffectsOf({
    lists: ssmRoutingLists(sdkClients.ssm, env.PARAMETER_PATH),
    hosts: ssmRoutingListHosts(sdkClients.ssm, commandOptions(env)),
    store,
  });
  return lists;
}

/** The Web API client for the bot token, rebuilt when the token is rotated. */
async function slackClient(): Promise<WebClient> {
  const { botToken } = await slackSecrets();
  if (web?.token !== botToken) {
    web = { token: botToken, client: new WebClient(botToken, { slackApiUrl: loadConfig().SLACK_API_URL }) };
  }
  return web.client;
}

/** Tells every notifier; one that fails fails the effect, which stays in the outbox and is rerun (at least once). */
export function allNotifiers(...notifiers: Notifier[]): Notifier {
  return {
    async releaseChanged(release, notice) {
      const results = await Promise.allSettled(notifiers.map((n) => n.releaseChanged(release, notice)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

/** The sweeper's fallback for lost SSM result events (adapters/ssm-command-recovery.ts). */
export async function commandRecovery() {
  const { service, store } = await agent();
  return ssmCommandRecovery({ ssm: sdkClients.ssm, store, service, clock });
}

/**
 * The Lambda composition root: SDK clients are created once per container at module scope; the release service
 * and its adapters are built once, on first use, from the validated environment (handlers/config.ts).
 */
import { randomUUID } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { WebClient } from '@slack/web-api';
import { cloudWatchAlarmReader } from '../adapters/cloudwatch-alarm-reader';
import { dynamoCardRefs } from '../adapters/dynamo-card-refs';
import { dynamoReleaseStore } from '../adapters/dynamo-release-store';
import { eventBridgeHandOff } from '../adapters/eventbridge-hand-off';
import { eventBridgePublisher } from '../adapters/eventbridge-publisher';
import { schedulerTimers } from '../adapters/scheduler-timers';
import { slackReleaseCards } from '../adapters/slack-release-cards';
import { ssmCommandRecovery } from '../adapters/ssm-command-recovery';
import { ssmFleetOperator } from '../adapters/ssm-fleet-operator';
import { ssmServiceConfigs, ssmVersionRegistry } from '../adapters/ssm-parameters';
import { freezeService } from '../app/freeze-service';
import { type ReleaseService, releaseService } from '../app/release-service';
import type {
  Clock,
  IdSource,
  ListenerSwitch,
  Notifier,
  PendingEffect,
  ReleaseStore,
  ServiceConfigs,
  VersionRegistry,
} from '../domain/ports';
import { type AgentConfig, loadConfig } from './config';
import { logger } from './log';
import type { SlackRuntime } from './slack';

export { logger };

// The SDK retries throttling and transient errors itself, with adaptive backoff, before a handler sees them.
const sdk = { maxAttempts: 5, retryMode: 'adaptive' } as const;
/** The SDK clients, one each per container (exported so benchmarks can count the requests they send). */
export const sdkClients = {
  dynamo: new DynamoDBClient(sdk),
  ssm: new SSMClient(sdk),
  cloudWatch: new CloudWatchClient(sdk),
  eventBridge: new EventBridgeClient(sdk),
  scheduler: new SchedulerClient(sdk),
};

let elb: Promise<ListenerSwitch> | undefined;
/**
 * The ELB adapter, loaded on first use: only blue/green services need it, so no cold start pays for loading its
 * client (esbuild turns these dynamic imports into code that runs when called, not when the bundle loads).
 */
function loadListenerSwitch(): Promise<ListenerSwitch> {
  elb ??= import('../adapters/elb-listener-switch').then(({ elbListenerSwitchWithClient }) =>
    elbListenerSwitchWithClient(sdk),
  );
  return elb;
}
const listeners: ListenerSwitch = {
  liveTargetGroup: async (route) => (await loadListenerSwitch()).liveTargetGroup(route),
  switch: async (route, from, to) => (await loadListenerSwitch()).switch(route, from, to),
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

const clock: Clock = { now: () => new Date().toISOString() };
const ids: IdSource = {
  releaseId: (svc, now) => `${svc}-${now.replace(/\D/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`,
};
const onEffectFailed = (effect: PendingEffect, error: unknown) =>
  logger.warn('effect failed; it stays in the outbox for the sweeper', {
    releaseId: effect.releaseId,
    effect: effect.effect.kind,
    error: error as Error,
  });
let built: Agent | undefined;
let slackBuilt: Omit<SlackRuntime, 'secrets'> | undefined;

/** The state and configuration ports every function shares. */
function statePorts(env: AgentConfig) {
  return {
    store: dynamoReleaseStore(sdkClients.dynamo, env.RELEASES_TABLE),
    configs: ssmServiceConfigs(sdkClients.ssm, env.PARAMETER_PATH),
    versions: ssmVersionRegistry(sdkClients.ssm, env.PARAMETER_PATH),
    listeners,
  };
}

/** The release service and its ports, built once per container. Throws (naming the variable) on a bad environment. */
export async function agent(): Promise<Agent> {
  if (built) return built;
  const env = loadConfig();
  const ports = statePorts(env);
  const { store, configs, versions } = ports;
  const service = releaseService({
    ...ports,
    clock,
    ids,
    fleet: ssmFleetOperator(sdkClients.ssm, {
      documentPrefix: env.SSM_DOCUMENT_PREFIX,
      maxConcurrency: env.COMMAND_MAX_CONCURRENCY,
      maxErrors: env.COMMAND_MAX_ERRORS,
      outputLogGroup: env.SSM_OUTPUT_LOG_GROUP,
    }),
    timers: schedulerTimers(sdkClients.scheduler, {
      groupName: env.SCHEDULE_GROUP,
      busArn: env.AGENT_BUS_ARN,
      roleArn: env.SCHEDULER_ROLE_ARN,
      deadLetterArn: env.DEAD_LETTER_QUEUE_ARN,
      now: clock.now,
    }),
    alarms: cloudWatchAlarmReader(sdkClients.cloudWatch),
    notifier: allNotifiers(
      slackReleaseCards({
        client: slackClient,
        cards: dynamoCardRefs(sdkClients.dynamo, env.RELEASES_TABLE),
        releases: store,
        clock,
      }),
      eventBridgePublisher(sdkClients.eventBridge, { busName: env.AGENT_BUS_ARN }),
    ),
    onEffectFailed,
  });
  built = { service, store, configs, versions, clock };
  return built;
}

/**
 * What the Slack function needs: the release use cases with effects handed off to the `effects` function (a
 * Slack request must be answered within 3 seconds), read access to releases, and the Slack secrets.
 */
export async function slackRuntime(): Promise<SlackRuntime> {
  const secrets = await slackSecrets();
  if (slackBuilt) return { ...slackBuilt, secrets };
  const env = loadConfig();
  const ports = statePorts(env);
  const handOff = eventBridgeHandOff(sdkClients.eventBridge, { busName: env.AGENT_BUS_ARN });
  const service = releaseService({ ...ports, clock, ids, handOff, onEffectFailed });
  slackBuilt = {
    deps: {
      service,
      store: ports.store,
      configs: ports.configs,
      freezes: freezeService({ ...ports, clock, admins: env.FREEZE_ADMINS }),
    },
    slackApiUrl: env.SLACK_API_URL,
  };
  return { ...slackBuilt, secrets };
}

let web: { token: string; client: WebClient } | undefined;

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

const SECRET_TTL_MS = 5 * 60_000;
let secrets: { value: Promise<{ signingSecret: string; botToken: string }>; at: number } | undefined;

export class MissingSecretError extends Error {
  readonly code = 'MISSING_SECRET';
  override readonly name = 'MissingSecretError';
}

/**
 * The Slack signing secret and bot token, SecureStrings under `<PARAMETER_PATH>/slack/`, decrypted in one
 * GetParameters call and cached for five minutes (like @middy/ssm's cacheExpiry), so a rotation is picked up.
 */
export function slackSecrets(): Promise<{ signingSecret: string; botToken: string }> {
  if (secrets && Date.now() - secrets.at < SECRET_TTL_MS) return secrets.value;
  const value = fetchSlackSecrets();
  secrets = { value, at: Date.now() };
  value.catch(() => {
    secrets = undefined;
  });
  return value;
}

async function fetchSlackSecrets(): Promise<{ signingSecret: string; botToken: string }> {
  const path = loadConfig().PARAMETER_PATH;
  const names = { signingSecret: `${path}/slack/signing-secret`, botToken: `${path}/slack/bot-token` };
  const { Parameters = [] } = await sdkClients.ssm.send(
    new GetParametersCommand({ Names: Object.values(names), WithDecryption: true }),
  );
  const secret = (name: string) => {
    const value = Parameters.find((p) => p.Name === name)?.Value;
    // The name only: a secret's value never reaches a log or an error.
    if (!value) throw new MissingSecretError(`SecureString parameter ${name} is missing or empty`);
    return value;
  };
  return { signingSecret: secret(names.signingSecret), botToken: secret(names.botToken) };
}

/** For tests: forget the built agent and cached secrets, so a test can change the environment. */
export function resetForTests(): void {
  built = undefined;
  slackBuilt = undefined;
  web = undefined;
  secrets = undefined;
}

import { join } from 'node:path';
import type { dynamoReleaseStore } from '../adapters/dynamo-release-store';
import type { memoryListenerSwitch } from '../adapters/memory-listener-switch';
import type { ReleaseService } from '../app/release-service';
import type { Clock, Notifier } from '../domain/ports';
import type { ServiceConfig } from '../domain/service-config';
import type { Release } from '../domain/types';
import { logger } from '../handlers/compose';
import type { SlackDeps } from '../handlers/slack/command-answers';
import type { DeliveryFailure, localEventBus } from './event-bus';
import type { SandboxChain } from './sandbox-chain';
import { CANARY_ALARM, sandboxServiceConfig } from './sandbox-config';
import type { sandboxFleet } from './sandbox-fleet';
import { composeServices, eventBus, releaseWatch, startAwsStandIns, startSweeper } from './sandbox-parts';
import { sandboxSlack } from './sandbox-slack';
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
  /** Changes to the embedded service a test needs (its `maxErrors`, say); the sandbox's own when absent. */
  readonly configure?: (config: ServiceConfig) => ServiceConfig;
  /** The console's port (0: any free one). */
  readonly consolePort?: number;
  /**
   * Also `front` in front of orders-api and `payments` behind it, each on its own hosts with its own load
   * balancers, canary alarm and configuration, their containers calling down the chain (local/sandbox-chain.ts).
   */
  readonly chain?: boolean;
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
  /** With `chain`: front, orders-api and payments, their stable URLs and every host; absent otherwise. */
  readonly chain?: SandboxChain;
  /** The service's load balancer listener: which colour's target group it forwards to. */
  readonly listeners: ReturnType<typeof memoryListenerSwitch>;
  /** When a sandbox alarm last went to ALARM (real ms, not the sandbox clock), for the alarm-to-rollback figure. */
  readonly alarmFiredAt: (alarmName?: string) => number | undefined;
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
  logger.setLogLevel('WARN');
  const embedded = sandboxServiceConfig(options.realSlack);
  const config = options.configure?.(embedded) ?? embedded;
  const clock = skippingClock();

  let bus: ReturnType<typeof localEventBus> | undefined;
  const publish = (target: 'default' | 'agent') => (event: unknown) => bus?.publish(target, event);
  // Timers and the Slack hand-off invoke their function directly, as on Lambda: they never cross a bus.
  const invokeAsync = (functionName: string) => (event: unknown) => bus?.invokeAsync(functionName, event);
  const aws = await startAwsStandIns(
    { ...options, config, clock, publish: publish('default'), invokeAsync },
    stopping,
  );
  // Slack: the real Slack function behind a loopback HTTP API, its Web API calls answered by the stand-in.
  const { slack, consoleUrl, cardClient } = await sandboxSlack(
    { ...options, channel: config.slack.channel, deps: () => services.slackDeps },
    stopping,
  );
  const watch = releaseWatch(aws.store);
  // No `config` passed here: orders-api's is the stand-ins' (with the chain, its container calls payments).
  const services = composeServices({ ...aws, clock, cardClient, invokeAsync }, [
    watch.notifier,
    ...(options.notifiers ?? []),
  ]);
  const { service, source } = services;
  bus = eventBus(source, options.onDeadLetter, services.listEffects);
  const sweeping = startSweeper(source);
  stopping.push(() => clearInterval(sweeping));

  const { store, fleet, alarms, listeners, timers, operator, chain } = aws;
  return {
    service,
    store,
    fleet,
    clock,
    stableUrl: `http://127.0.0.1:${fleet.stableLb.port()}`,
    canaryUrl: `http://127.0.0.1:${fleet.canaryLb.port()}`,
    slack,
    consoleUrl,
    slackDeps: services.slackDeps,
    ...(chain ? { chain } : {}),
    listeners,
    alarmFiredAt: alarms.firedAt,
    alarmState: (name = CANARY_ALARM) => alarms.evaluatorOf(name).state(),
    waitFor: watch.waitFor,
    settled: async () => bus?.settled(),
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

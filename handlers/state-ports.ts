/**
 * The part of the Lambda composition root every function shares: the DynamoDB and SSM clients, the release
 * store, the service configurations and versions, the clock and ids. It imports no client that changes hosts,
 * schedules or events, so the Slack function's bundle (handlers/compose-slack.ts) carries none of them.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { dynamoReleaseStore } from '../adapters/dynamo-release-store';
import { ssmServiceConfigs, ssmVersionRegistry } from '../adapters/ssm-parameters';
import type { AlarmCatalog, Clock, IdSource, ListenerSwitch, PendingEffect } from '../domain/ports';
import type { AgentConfig } from './config';
import { logger } from './log';

// The SDK retries throttling and transient errors itself, with adaptive backoff, before a handler sees them.
export const sdk = { maxAttempts: 5, retryMode: 'adaptive' } as const;
/** The clients every function uses, one each per container (exported so benchmarks can count requests). */
export const stateClients = { dynamo: new DynamoDBClient(sdk), ssm: new SSMClient(sdk) };

export const clock: Clock = { now: () => new Date().toISOString() };
export const ids: IdSource = {
  releaseId: (svc, now) => `${svc}-${now.replace(/\D/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`,
};
export const onEffectFailed = (effect: PendingEffect, error: unknown) =>
  logger.warn('effect failed; it stays in the outbox for the sweeper', {
    releaseId: effect.releaseId,
    effect: effect.effect.kind,
    error: error as Error,
  });

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
const listeners: ListenerSwitch = {
  liveTargetGroup: async (route) => (await loadListenerSwitch()).liveTargetGroup(route),
  switch: async (route, from, to) => (await loadListenerSwitch()).switch(route, from, to),
};

let catalog: Promise<AlarmCatalog> | undefined;
/** The alarm catalog, loaded on first use: only a start reads it, so no other request's cold start pays for it. */
const alarmCatalog: AlarmCatalog = {
  async missing(names) {
    catalog ??= import('../adapters/cloudwatch-alarm-reader').then(({ cloudWatchAlarmCatalogWithClient }) =>
      cloudWatchAlarmCatalogWithClient(sdk),
    );
    return (await catalog).missing(names);
  },
};

/** The state and configuration ports every function shares. */
export function statePorts(env: AgentConfig) {
  return {
    store: dynamoReleaseStore(stateClients.dynamo, env.RELEASES_TABLE),
    configs: ssmServiceConfigs(stateClients.ssm, env.PARAMETER_PATH),
    versions: ssmVersionRegistry(stateClients.ssm, env.PARAMETER_PATH),
    listeners,
    alarmCatalog,
  };
}

const resets: (() => void)[] = [];
/** Each module that caches something built from the environment registers how to forget it. */
export function onReset(reset: () => void): void {
  resets.push(reset);
}

/** For tests: forget every built runtime and cached secret, so a test can change the environment. */
export function resetForTests(): void {
  for (const reset of resets) reset();
}

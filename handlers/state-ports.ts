/**
 * The part of the Lambda composition root every function shares: the DynamoDB and SSM clients, the release
 * store, the service configurations and versions, the clock and ids. It imports no client that changes hosts,
 * schedules or events, and no CloudWatch or ELB client, so the Slack function's bundle (handlers/compose-slack.ts)
 * carries none of them.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { dynamoReleaseStore } from '../adapters/dynamo-release-store';
import { ssmServiceConfigs, ssmVersionRegistry } from '../adapters/ssm-parameters';
import type { Clock, IdSource, PendingEffect } from '../domain/ports';
import type { AgentConfig } from './config';
import { logger } from './log';
import { sdk } from './sdk-options';

export { sdk };
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

/** The state and configuration ports every function shares. */
export function statePorts(env: AgentConfig) {
  return {
    store: dynamoReleaseStore(stateClients.dynamo, env.RELEASES_TABLE),
    configs: ssmServiceConfigs(stateClients.ssm, env.PARAMETER_PATH),
    versions: ssmVersionRegistry(stateClients.ssm, env.PARAMETER_PATH),
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

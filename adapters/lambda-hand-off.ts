import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { EffectHandOff } from '../domain/ports';
import type { ListChangeHandOff } from '../domain/routing-list-ports';
import { effectsPending, listChangePending } from './internal-events';

export class HandOffFailedError extends Error {
  readonly code = 'HAND_OFF_FAILED';
  override readonly name = 'HandOffFailedError';
}

/**
 * Hands a release's outbox to the `effects` function with one asynchronous invocation (`Event`: Lambda queues it
 * and answers 202 at once), where running the effects (Run Command, Scheduler, the Slack card) could take seconds
 * inside a Slack request. A direct invocation, not an event on the bus, so no pipeline can forge one; Lambda
 * retries it and then sends it to the dead-letter queue like any asynchronous invocation.
 */
export function lambdaHandOff(client: LambdaClient, options: { functionName: string }): EffectHandOff {
  const encoder = new TextEncoder();
  return {
    async handOff(releaseId) {
      const { StatusCode } = await client.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: 'Event',
          Payload: encoder.encode(JSON.stringify(effectsPending(releaseId))),
        }),
      );
      if (StatusCode !== 202) {
        throw new HandOffFailedError(`Lambda answered ${StatusCode} to the hand-off of ${releaseId}`);
      }
    },
  };
}

/** A change of a live routing list, handed to the `effects` function the same way (its role may write the list). */
export function lambdaListHandOff(
  client: LambdaClient,
  options: { functionName: string },
): ListChangeHandOff {
  const encoder = new TextEncoder();
  return {
    async handOff(change) {
      const { StatusCode } = await client.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: 'Event',
          Payload: encoder.encode(JSON.stringify(listChangePending(change))),
        }),
      );
      if (StatusCode !== 202) {
        throw new HandOffFailedError(`Lambda answered ${StatusCode} to the hand-off of a list change`);
      }
    },
  };
}

/** A Lambda client, for a composition root that loads this module on first use (the hand-off and the preflight share it). */
export function lambdaClient(config: LambdaClientConfig): LambdaClient {
  return new LambdaClient(config);
}

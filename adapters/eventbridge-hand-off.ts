import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EffectHandOff } from '../domain/ports';
import { putEventsChecked } from './eventbridge-publisher';

export const EFFECTS_SOURCE = 'canary-agent.effects';
export const EFFECTS_PENDING = 'Release Effects Pending';

/**
 * Hands a release's outbox to the `effects` function through the agent's bus: one PutEvents, about 20 ms, where
 * running the effects (Run Command, Scheduler, the Slack card) could take seconds inside a Slack request.
 */
export function eventBridgeHandOff(client: EventBridgeClient, options: { busName: string }): EffectHandOff {
  return {
    async handOff(releaseId) {
      await putEventsChecked(client, [
        {
          EventBusName: options.busName,
          Source: EFFECTS_SOURCE,
          DetailType: EFFECTS_PENDING,
          Detail: JSON.stringify({ releaseId }),
        },
      ]);
    },
  };
}

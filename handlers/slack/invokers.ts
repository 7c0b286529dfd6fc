import { lambdaClient, lambdaHandOff, lambdaListHandOff } from '../../adapters/lambda-hand-off';
import { lambdaPreflight } from '../../adapters/lambda-preflight';
import type { EffectHandOff } from '../../domain/ports';
import type { ListChangeHandOff } from '../../domain/routing-list-ports';
import type { AgentConfig } from '../config';
import { sdk } from '../sdk-options';

/** What the Slack function asks of other functions: the effects run, and read-only questions about AWS. */
export interface Invokers {
  readonly handOff: EffectHandOff;
  /** A change of a live routing list, which the `effects` function writes (this function may not). */
  readonly listHandOff: ListChangeHandOff;
  readonly preflight: ReturnType<typeof lambdaPreflight>;
}

/**
 * The Lambda client and what uses it. handlers/compose-slack.ts loads this module on first use, in one chunk of
 * its own: most Slack requests (status, list, history, help) change nothing and ask nothing.
 */
export function invokers(env: AgentConfig): Invokers {
  const client = lambdaClient(sdk);
  return {
    handOff: lambdaHandOff(client, { functionName: env.EFFECTS_FUNCTION_ARN }),
    listHandOff: lambdaListHandOff(client, { functionName: env.EFFECTS_FUNCTION_ARN }),
    preflight: lambdaPreflight(client, { functionName: env.PREFLIGHT_FUNCTION_ARN }),
  };
}

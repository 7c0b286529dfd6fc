/**
 * The Slack function's composition root. It records changes and answers; it never runs effects, so it builds
 * no client that changes hosts, schedules, versions or events: only DynamoDB, SSM (read), and two clients
 * loaded on first use: the ELB reader (a blue/green start reads the live colour) and the Lambda client that
 * hands effects on.
 */
import { freezeService } from '../app/freeze-service';
import { releaseService } from '../app/release-service';
import type { EffectHandOff } from '../domain/ports';
import { loadConfig } from './config';
import type { SlackRuntime } from './slack';
import { slackSecrets } from './slack-secrets';
import { clock, ids, onEffectFailed, onReset, sdk, statePorts } from './state-ports';

let loaded: Promise<EffectHandOff> | undefined;
/**
 * The hand-off, loaded on first use: most Slack requests (status, list, history, help) change nothing, so their
 * cold start does not pay for the Lambda client; a click that changes a release loads it after its write.
 */
const handOffTo = (functionName: string): EffectHandOff => ({
  async handOff(releaseId) {
    loaded ??= import('../adapters/lambda-hand-off').then(({ lambdaHandOffWithClient }) =>
      lambdaHandOffWithClient(sdk, { functionName }),
    );
    return (await loaded).handOff(releaseId);
  },
});
let built: Omit<SlackRuntime, 'secrets'> | undefined;
onReset(() => {
  built = undefined;
  loaded = undefined;
});

/**
 * What the Slack function needs: the release use cases with effects handed off to the `effects` function (a
 * Slack request must be answered within 3 seconds), read access to releases, and the Slack secrets.
 */
export async function slackRuntime(): Promise<SlackRuntime> {
  const secrets = await slackSecrets();
  if (built) return { ...built, secrets };
  const env = loadConfig();
  const ports = statePorts(env);
  const handOff = handOffTo(env.EFFECTS_FUNCTION_ARN);
  const service = releaseService({ ...ports, clock, ids, handOff, onEffectFailed });
  const freezes = freezeService({ ...ports, clock, admins: env.FREEZE_ADMINS });
  built = {
    deps: { service, store: ports.store, configs: ports.configs, freezes },
    slackApiUrl: env.SLACK_API_URL,
  };
  return { ...built, secrets };
}

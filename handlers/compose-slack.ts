/**
 * The Slack function's composition root. It records changes and answers; it never runs effects, so it builds
 * no client that changes hosts, schedules, versions or events: only DynamoDB, SSM (read), and, loaded on first
 * use, the Lambda client that hands effects on and asks the read-only `preflight` function what a start needs
 * to know of CloudWatch alarms and ELB listeners (this bundle holds neither client).
 */

import type { lambdaPreflight } from '../adapters/lambda-preflight';
import { freezeService } from '../app/freeze-service';
import { releaseService } from '../app/release-service';
import type { AlarmCatalog, EffectHandOff } from '../domain/ports';
import type { TrafficRoute } from '../domain/types';
import { type AgentConfig, loadConfig } from './config';
import type { SlackRuntime } from './slack';
import { slackSecrets } from './slack-secrets';
import { clock, ids, onEffectFailed, onReset, sdk, statePorts } from './state-ports';

/** What the Slack function asks of other functions: the effects run, and read-only questions about AWS. */
interface Invokers {
  readonly handOff: EffectHandOff;
  readonly preflight: ReturnType<typeof lambdaPreflight>;
}
let loaded: Promise<Invokers> | undefined;
/**
 * The Lambda client and what uses it, loaded on first use: most Slack requests (status, list, history, help)
 * change nothing and ask nothing, so their cold start does not pay for it.
 */
function invokers(env: AgentConfig): Promise<Invokers> {
  loaded ??= Promise.all([
    import('../adapters/lambda-hand-off'),
    import('../adapters/lambda-preflight'),
  ]).then(([{ lambdaClient, lambdaHandOff }, { lambdaPreflight }]) => {
    const client = lambdaClient(sdk);
    return {
      handOff: lambdaHandOff(client, { functionName: env.EFFECTS_FUNCTION_ARN }),
      preflight: lambdaPreflight(client, { functionName: env.PREFLIGHT_FUNCTION_ARN }),
    };
  });
  return loaded;
}

/** The ports the Slack function reaches through other functions, each loading the Lambda client when first used. */
function invokedPorts(env: AgentConfig) {
  const handOff: EffectHandOff = {
    handOff: async (releaseId) => (await invokers(env)).handOff.handOff(releaseId),
  };
  const alarmCatalog: AlarmCatalog = {
    missing: async (names) => (await invokers(env)).preflight.alarmCatalog.missing(names),
  };
  const listeners = {
    liveTargetGroup: async (route: TrafficRoute) =>
      (await invokers(env)).preflight.listeners.liveTargetGroup(route),
  };
  return { handOff, alarmCatalog, listeners };
}
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
  const service = releaseService({ ...ports, ...invokedPorts(env), clock, ids, onEffectFailed });
  const freezes = freezeService({ ...ports, clock, admins: env.FREEZE_ADMINS });
  built = {
    deps: { service, store: ports.store, configs: ports.configs, freezes },
    slackApiUrl: env.SLACK_API_URL,
  };
  return { ...built, secrets };
}

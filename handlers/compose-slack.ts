/**
 * The Slack function's composition root. It records changes and answers; it never runs effects, so it builds
 * no client that changes hosts, schedules, versions or events: only DynamoDB, SSM (read), and, loaded on first
 * use, the Lambda client that hands effects on and asks the read-only `preflight` function what a start needs
 * to know of CloudWatch alarms and ELB listeners, and what a plan preview reads of fleets and alarms (this bundle
 * holds none of those clients).
 */

import { ssmRoutingListReader } from '../adapters/ssm-routing-lists';
import { freezeService } from '../app/freeze-service';
import { planPreviews } from '../app/preview-start';
import { releaseService } from '../app/release-service';
import { routingListRequests } from '../app/routing-list-requests';
import type { PlanSurvey } from '../domain/plan-survey';
import type { AlarmCatalog, EffectHandOff } from '../domain/ports';
import type { ListChangeHandOff } from '../domain/routing-list-ports';
import type { TrafficRoute } from '../domain/types';
import { type AgentConfig, loadConfig } from './config';
import type { SlackRuntime } from './slack';
import type { Invokers } from './slack/invokers';
import { slackSecrets } from './slack-secrets';
import { clock, ids, onEffectFailed, onReset, stateClients, statePorts } from './state-ports';

let loaded: Promise<Invokers> | undefined;
/**
 * The Lambda client and what uses it, loaded on first use: most Slack requests (status, list, history, help)
 * change nothing and ask nothing, so their cold start does not pay for it.
 */
function invokers(env: AgentConfig): Promise<Invokers> {
  loaded ??= import('./slack/invokers').then((module) => module.invokers(env));
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
  const survey: PlanSurvey = {
    survey: async (question) => (await invokers(env)).preflight.survey.survey(question),
  };
  const listHandOff: ListChangeHandOff = {
    handOff: async (change) => (await invokers(env)).listHandOff.handOff(change),
  };
  return { handOff, alarmCatalog, listeners, survey, listHandOff };
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
  const invoked = invokedPorts(env);
  const service = releaseService({ ...ports, ...invoked, clock, ids, onEffectFailed });
  const freezes = freezeService({ ...ports, clock, admins: env.FREEZE_ADMINS });
  const plans = planPreviews({ ...ports, ...invoked, clock, ids });
  // The live routing lists: read here (`/canary vip list`), changed only by the `effects` function.
  const lists = routingListRequests({
    ...ports,
    lists: ssmRoutingListReader(stateClients.ssm, env.PARAMETER_PATH),
    handOff: invoked.listHandOff,
  });
  built = {
    deps: { service, store: ports.store, configs: ports.configs, freezes, plans, lists },
    slackApiUrl: env.SLACK_API_URL,
  };
  return { ...built, secrets };
}

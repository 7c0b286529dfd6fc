import { WebClient } from '@slack/web-api';
import { beforeEach, expect } from 'vitest';
import { dynamoCardRefs } from '../../adapters/dynamo-card-refs';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { memoryServiceConfigs } from '../../adapters/memory-service-configs';
import { slackReleaseCards } from '../../adapters/slack-release-cards';
import { freezeService } from '../../app/freeze-service';
import type { PlanSurvey } from '../../domain/plan-survey';
import type { ServiceConfig } from '../../domain/service-config';
import type { Release } from '../../domain/types';
import { slackHandler } from '../../handlers/slack';
import {
  APPROVER,
  REQUESTER,
  SECOND_APPROVER,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';
import type { ConsoleMessage } from '../../local/slack-standin';
import { harness } from '../support/harness';
import { listRequestsFor } from '../support/routing-lists';
import { slackOnLoopback } from '../support/slack-loopback';

/*
 * For slack-cards, slack-commands and slack-requests: the real Slack function (middy + Bolt's Lambda receiver)
 * behind a loopback HTTP API, sent correctly and wrongly signed requests by the Slack stand-in, with its Web API
 * calls captured by the stand-in (Bolt's `slackApiUrl`). Releases live in DynamoDB Local; the effects the function
 * hands off are run by the same use cases the `effects` function runs, with the Slack card notifier and recording
 * fakes for SSM, timers and alarms.
 */

export const SECRET = 'test-signing-secret-0123456789abcdef';
export const CHANNEL = 'C0RELEASES';
const GROUP = 'S0RELEASERS';
export const GROUP_MEMBER = 'U0GROUPMEMB';
const secrets = { signingSecret: SECRET, botToken: 'xoxb-test-token' };

type World = ReturnType<typeof setUp>;

/**
 * Registers the file's set-up (the loopback and, before each test, a fresh table and world) and its helpers.
 * `otherServices` are configured beside orders-api (listed and named, never released here unless `versions` gives
 * their current versions, as a group's members need); `survey` is what `/canary plan` reads of fleets and alarms
 * (a file that previews no plan leaves it out).
 */
export function slackFunctionOnLoopback(
  otherServices: readonly ServiceConfig[] = [],
  options: { readonly survey?: PlanSurvey; readonly versions?: Readonly<Record<string, string>> } = {},
) {
  /** The test's world: replaced before each test (a fresh table, harness and handler), read through this object. */
  const world = {} as World;
  const env = slackOnLoopback(
    {
      signingSecret: SECRET,
      channel: CHANNEL,
      users: [APPROVER, SECOND_APPROVER, REQUESTER, STRANGER, GROUP_MEMBER],
      userGroups: { [GROUP]: [GROUP_MEMBER] },
    },
    () => world.handler,
  );

  beforeEach(async () => {
    Object.assign(world, setUp(env, await env.dynamo.createReleasesTable(), otherServices, options));
    env.standin.reset();
  });

  const card = (): ConsoleMessage | undefined =>
    env.standin
      .messages()
      .find((m) => m.from === 'app' && !m.threadTs && !m.visibleTo && m.blocks.length > 0);
  const buttons = (message: ConsoleMessage | undefined) =>
    (message?.blocks ?? []).flatMap((b) => {
      const block = b as { type: string; elements?: { action_id?: string; confirm?: unknown }[] };
      return block.type === 'actions' ? (block.elements ?? []) : [];
    });
  const lastEphemeralTo = (user: string) =>
    env.standin
      .messages()
      .filter((m) => m.visibleTo === user)
      .at(-1)?.text ?? '';

  async function command(user: string, text: string): Promise<string> {
    const { status, reply } = await env.standin.command(user, text);
    expect(status).toBe(200);
    return String(JSON.parse(reply ?? '{}').text ?? '');
  }

  async function click(
    user: string,
    action:
      | 'canary_promote'
      | 'canary_rollback'
      | 'canary_abort'
      | 'canary_retry'
      | 'canary_rollback_confirmed'
      | 'canary_abort_confirmed',
  ) {
    const message = card();
    if (!message) throw new Error('no card');
    const releaseId = releaseIdOf(message);
    const { status } = await env.standin.click(user, message.id, action, releaseId, `release:${releaseId}`);
    expect(status).toBe(200);
  }

  function releaseIdOf(message: ConsoleMessage): string {
    const button = buttons(message)[0] as { value?: string } | undefined;
    return button?.value ?? '';
  }

  /** Starts orders-api 1.4.2 from Slack and plays SSM and the timer up to the approval gate. */
  async function releaseAwaitingApproval(): Promise<Release> {
    await command(REQUESTER, 'start orders-api 1.4.2 mirror=5');
    await world.runHandedOff();
    const [releaseId] = (await world.store.activeReleases()).map((r) => r.id);
    await world.h.finishCommand('deployCanary');
    await world.h.finishCommand('startMirror');
    await world.h.elapseWindow(releaseId as string);
    return world.h.load(releaseId as string);
  }

  return { env, world, card, buttons, lastEphemeralTo, command, click, releaseIdOf, releaseAwaitingApproval };
}

function setUp(
  env: ReturnType<typeof slackOnLoopback>,
  tableName: string,
  otherServices: readonly ServiceConfig[],
  {
    survey,
    versions,
  }: { readonly survey?: PlanSurvey; readonly versions?: Readonly<Record<string, string>> },
) {
  const store = dynamoReleaseStore(env.dynamo.client, tableName);
  const cards = dynamoCardRefs(env.dynamo.client, tableName);
  const web = new WebClient(secrets.botToken, { slackApiUrl: env.standin.apiUrl() });
  const config = serviceConfig({
    approvals: { users: [APPROVER, SECOND_APPROVER, REQUESTER], groups: [GROUP], fourEyes: true },
    slack: { channel: CHANNEL },
  });
  const h = harness({
    store,
    configs: versions ? [config, ...otherServices] : [config],
    ...(versions ? { versions: { 'orders-api': '1.4.1', ...versions } } : {}),
    notifier: slackReleaseCards({
      client: async () => web,
      cards,
      releases: store,
      clock: { now: () => h.now() },
    }),
  });
  const configs = memoryServiceConfigs([config, ...otherServices]);
  const handedOff: string[] = [];
  const slackSide = h.handingOff({ handOff: async (releaseId) => void handedOff.push(releaseId) });
  const handler = slackHandler(async () => ({
    deps: {
      service: slackSide,
      store,
      configs,
      freezes: freezeService({
        store,
        configs,
        clock: { now: () => h.now() },
        admins: { users: [], groups: [] },
      }),
      plans: h.previewing(survey),
      lists: listRequestsFor({ configs, store }),
    },
    secrets,
    slackApiUrl: env.standin.apiUrl(),
  }));
  /** What the `effects` function does with each hand-off. */
  async function runHandedOff() {
    while (handedOff.length > 0) await h.service.runPending(handedOff.shift() as string);
  }
  return { h, store, tableName, handler, handedOff, runHandedOff };
}

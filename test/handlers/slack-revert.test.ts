import { beforeEach, describe, expect, it } from 'vitest';
import { dynamoReleaseStore } from '../../adapters/dynamo-release-store';
import { memoryServiceConfigs } from '../../adapters/memory-service-configs';
import { freezeService } from '../../app/freeze-service';
import { slackHandler } from '../../handlers/slack';
import { APPROVER, REQUESTER, STRANGER, serviceConfig } from '../../local/fixture-service-config';
import type { ConsoleMessage } from '../../local/slack-standin';
import { harness } from '../support/harness';
import { listRequestsFor } from '../support/routing-lists';
import { slackOnLoopback } from '../support/slack-loopback';

/* `/canary revert` through the real Slack function, as slack.test.ts drives it: the confirm, then the click. */

const SECRET = 'test-signing-secret-0123456789abcdef';
const CHANNEL = 'C0RELEASES';
const secrets = { signingSecret: SECRET, botToken: 'xoxb-test-token' };

let world: ReturnType<typeof setUp>;
const env = slackOnLoopback(
  { signingSecret: SECRET, channel: CHANNEL, users: [APPROVER, REQUESTER, STRANGER] },
  () => world.handler,
);

function setUp(tableName: string) {
  const store = dynamoReleaseStore(env.dynamo.client, tableName);
  const config = serviceConfig({ approvals: { users: [APPROVER] }, slack: { channel: CHANNEL } });
  const h = harness({ store, configs: [config] });
  const configs = memoryServiceConfigs([config]);
  const handedOff: string[] = [];
  const handler = slackHandler(async () => ({
    deps: {
      service: h.handingOff({ handOff: async (releaseId) => void handedOff.push(releaseId) }),
      store,
      configs,
      freezes: freezeService({
        store,
        configs,
        clock: { now: () => h.now() },
        admins: { users: [], groups: [] },
      }),
      plans: h.previewing(),
      lists: listRequestsFor({ configs, store }),
    },
    secrets,
    slackApiUrl: env.standin.apiUrl(),
  }));
  return { h, store, handler, handedOff };
}

beforeEach(async () => {
  world = setUp(await env.dynamo.createReleasesTable());
  env.standin.reset();
});

async function succeeded() {
  const { h } = world;
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: { kind: 'person', id: REQUESTER },
  });
  if (!started.ok) throw new Error(started.message);
  await h.finishCommand('deployCanary');
  await h.finishCommand('startMirror');
  await h.elapseWindow(started.release.id);
  await h.service.apply(started.release.id, { kind: 'approved', actor: { kind: 'person', id: APPROVER } });
  await h.finishCommand('stopMirror');
  await h.finishCommand('promote');
  await h.finishCommand('removeCanary');
  return started.release.id;
}

const revertButtonOf = (message: ConsoleMessage | undefined) =>
  (message?.blocks ?? [])
    .flatMap(
      (b) => (b as { elements?: { action_id?: string; value?: string; confirm?: unknown }[] }).elements ?? [],
    )
    .find((e) => e.action_id === 'canary_revert');
const ephemeralsTo = (user: string) =>
  env.standin.messages().filter((m) => m.visibleTo === user && m.from === 'app');

describe('/canary revert', () => {
  it('answers with a confirm naming both versions, and the click starts the revert', async () => {
    const target = await succeeded();

    const { status } = await env.standin.command(APPROVER, 'revert orders-api');
    expect(status).toBe(200);
    const confirm = ephemeralsTo(APPROVER).at(-1);
    const button = revertButtonOf(confirm);
    expect(button?.value).toBe(target);
    expect(JSON.stringify(button?.confirm)).toContain('1.4.2 → 1.4.1');
    expect(await world.store.activeReleaseId('orders-api')).toBeNull();

    const clicked = await env.standin.click(
      APPROVER,
      confirm?.id ?? '',
      'canary_revert',
      target,
      `revert:${target}`,
    );
    expect(clicked.status).toBe(200);
    await expect
      .poll(() => ephemeralsTo(APPROVER).at(-1)?.text ?? '')
      .toContain('Reverting *orders-api* 1.4.2 → 1.4.1');
    const [revert] = await world.store.activeReleases();
    expect(revert).toMatchObject({
      state: 'promoting',
      toVersion: '1.4.1',
      strategy: { kind: 'revert', of: target },
    });
    expect(world.handedOff).toEqual([revert?.id]);
  });

  it('tells a stranger, and someone with nothing to revert, why; and refuses a stray word', async () => {
    await env.standin.command(APPROVER, 'revert orders-api');
    expect(ephemeralsTo(APPROVER).at(-1)?.text).toContain('orders-api has no succeeded release to revert');

    await succeeded();
    await env.standin.command(STRANGER, 'revert orders-api');
    expect(ephemeralsTo(STRANGER).at(-1)?.text).toContain("Only orders-api's approvers may revert it.");
    expect(revertButtonOf(ephemeralsTo(STRANGER).at(-1))).toBeUndefined();

    await env.standin.command(APPROVER, 'revert orders-api now');
    expect(ephemeralsTo(APPROVER).at(-1)?.text).toContain('Unexpected `now` after `revert`');
  });
});

import { describe, expect, it } from 'vitest';
import { memoryServiceConfigs } from '../../adapters/memory-service-configs';
import type { Message } from '../../adapters/slack-presentation/release-card';
import {
  CONFIRMED_ACTION_IDS,
  confirmedActionOf,
  stopConfirm,
} from '../../adapters/slack-presentation/stop-confirm';
import type { FreezeService } from '../../app/freeze-service';
import type { Requester, SlackDeps } from '../../handlers/slack/command-answers';
import { cardClick } from '../../handlers/slack/stop-answers';
import {
  APPROVER,
  REQUESTER,
  SECOND_APPROVER,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';
import type { harness } from '../support/harness';
import { listRequestsFor } from '../support/routing-lists';
import { releaseIn } from './release-card-fixtures';

/*
 * The card's Roll back and Abort: a person who may not stop the release is told at once which rule refused, and
 * is never first asked to confirm; one who may is asked, and the confirm step's button does it.
 */

function depsOf(h: ReturnType<typeof harness>): SlackDeps {
  const freezes = {} as FreezeService; // Clicks never freeze anything.
  const configs = memoryServiceConfigs([serviceConfig()]);
  const lists = listRequestsFor({ configs, store: h.store });
  return { service: h.service, store: h.store, configs, freezes, plans: h.previewing(), lists };
}

function who(userId: string): Requester {
  return {
    userId,
    requestId: `slack:${userId}-${Math.random()}`,
    groupsAmong: async () => [],
    groupHandles: async (ids) => new Map(ids.map((id) => [id, 'release-managers'])),
  };
}

const approvers = `<@${APPROVER}>, <@${SECOND_APPROVER}> or <@${REQUESTER}>`;

describe('Promote on a window held without a verdict', () => {
  it('refuses a stranger at once, and asks an approver, naming the alarms that gave no data', async () => {
    const { h, release } = await releaseIn('inconclusive');

    const refused = await cardClick(depsOf(h), release.id, 'promote', who(STRANGER), false);
    const asked = (await cardClick(depsOf(h), release.id, 'promote', who(APPROVER), false)) as Message;

    expect(refused).toMatch(/^Only an approver/);
    expect(asked.text).toBe('Promote 1.4.2 without data?');
    expect(JSON.stringify(asked.blocks)).toContain('no data from orders-api-canary-5xx');
    expect(JSON.stringify(asked.blocks)).toContain(CONFIRMED_ACTION_IDS.promote);
    expect((await h.load(release.id)).state).toBe('inconclusive');
  });

  it("promotes on the confirm step's button", async () => {
    const { h, release } = await releaseIn('inconclusive');

    await cardClick(depsOf(h), release.id, 'promote', who(APPROVER), true);

    expect((await h.load(release.id)).state).toBe('stoppingMirror');
    expect(confirmedActionOf(CONFIRMED_ACTION_IDS.promote)).toBe('promote');
  });
});

describe('Roll back and Abort on the card', () => {
  it('refuses a stranger at once, naming the rule and who may, with no confirm step', async () => {
    const { h, release } = await releaseIn('verifying');

    const answer = await cardClick(depsOf(h), release.id, 'rollback', who(STRANGER), false);

    expect(answer).toBe(
      `Only the requester (<@${REQUESTER}>) or an approver (${approvers}) may roll back *orders-api* 1.4.2 (release \`${release.id}\`).`,
    );
    expect((await h.load(release.id)).state).toBe('verifying');
  });

  it('names the rule for Abort as well', async () => {
    const { h, release } = await releaseIn('awaitingApproval');

    const answer = await cardClick(depsOf(h), release.id, 'abort', who(STRANGER), false);

    expect(answer).toMatch(
      /^Only the requester \(<@U0REQUESTER>\) or an approver \(.*\) may abort \*orders-api\* 1\.4\.2/,
    );
  });

  it('asks the requester to confirm, and changes nothing until the confirm button is pressed', async () => {
    const { h, release } = await releaseIn('verifying');
    const deps = depsOf(h);

    const confirm = (await cardClick(deps, release.id, 'rollback', who(REQUESTER), false)) as Message;

    expect(confirm.text).toBe('Roll back orders-api to 1.4.1?');
    expect(JSON.stringify(confirm.blocks)).toContain(CONFIRMED_ACTION_IDS.rollback);
    expect((await h.load(release.id)).state).toBe('verifying');

    const done = await cardClick(deps, release.id, 'rollback', who(REQUESTER), true);

    expect(done).toContain('Rolling back *orders-api* 1.4.1 → 1.4.2.');
    expect((await h.load(release.id)).state).toBe('rollingBack');
  });

  it('refuses a confirmed click by someone who may not, in the same words', async () => {
    const { h, release } = await releaseIn('verifying');

    const answer = await cardClick(depsOf(h), release.id, 'abort', who(STRANGER), true);

    expect(answer).toContain(`Only the requester (<@${REQUESTER}>) or an approver`);
    expect((await h.load(release.id)).state).toBe('verifying');
  });

  it('names who may promote when a stranger presses Promote', async () => {
    const { h, release } = await releaseIn('awaitingApproval');

    const answer = await cardClick(depsOf(h), release.id, 'promote', who(STRANGER), false);

    expect(answer).toBe(
      `Only an approver (${approvers}) may promote *orders-api* 1.4.2 (release \`${release.id}\`).`,
    );
  });
});

describe('the confirm step', () => {
  it('says what stopping does, and maps its button back to the action', async () => {
    const { release } = await releaseIn('promoting');

    const { text, blocks } = stopConfirm('abort', release);

    expect(text).toBe('Abort orders-api 1.4.2?');
    expect(JSON.stringify(blocks)).toContain('put 1.4.1 on the stable fleet and remove the canary');
    expect(confirmedActionOf(CONFIRMED_ACTION_IDS.abort)).toBe('abort');
    expect(confirmedActionOf('canary_abort')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { noticeReply } from '../../adapters/slack-presentation/notice-reply';
import { ACTION_IDS, releaseCard } from '../../adapters/slack-presentation/release-card';
import { withMember } from '../../domain/group';
import type { Release } from '../../domain/types';
import { memberConfig, startGroupOf } from '../app/group-fixtures';
import { harness } from '../support/harness';
import {
  actionIds,
  expectWithinLimits,
  fieldTexts,
  sectionTexts,
  stateLine,
  timeline,
} from './release-card-fixtures';
import { groupIn, membersSection } from './release-card-group-fixtures';

/* A group release's card (issue 20): one card for every member, each named with its versions, role and place. */

const headerOf = (card: ReturnType<typeof releaseCard>) => {
  const [header] = card.blocks;
  return header?.type === 'header' ? header.text.text : '';
};

describe('a group release card', () => {
  it('names the group and lists each member in call order, with its role, while the window runs', async () => {
    const { h, release } = await groupIn('verifying');

    const card = releaseCard(release, h.now());

    expect(headerOf(card)).toBe('front + orders-api + payments');
    expect(card.text).toMatch(
      /^⏳ front \+ orders-api \+ payments: Verifying: 10% of users take the new versions/,
    );
    expect(membersSection(sectionTexts(card)).split('\n')).toEqual([
      '*Members*, in call order',
      '1. *front* 2.0.0 → 2.0.1 · entry: colours requests · 🔀 routing 10% of users',
      '2. *orders-api* 1.4.1 → 1.4.2 · downstream: routes tagged requests · 🔀 routing tagged requests',
      '3. *payments* 2.0.9 → 2.1.0 · downstream: routes tagged requests · 🔀 routing tagged requests',
    ]);
    // Each step names its member with the member's own version, not the entry's.
    expect(timeline(card)).toContain('✓ deploy the canaries: payments 2.1.0, orders-api 1.4.2, front 2.0.1');
    expect(timeline(card)).toContain('✓ payments and orders-api route tagged requests to their canaries');
    expect(timeline(card)).toContain('▶ *10% of users, bake 15 min*');
    expect(timeline(card)).toContain(
      '○ promote orders-api 1.4.2 on its stable fleet\n○ bake orders-api for 5 min',
    );
    expect(timeline(card)).not.toContain('0% → 0%');
    expect(fieldTexts(card)).toContain('*Strategy*\nin steps of *10%* → 100%, each baked 15 min');
  });

  it('calls a configured group by its name', async () => {
    const front = memberConfig('front', {
      groups: [
        { name: 'checkout', downstream: ['orders-api'], versions: { front: '2.0.1', 'orders-api': '1.4.2' } },
      ],
    });
    const h = harness({
      configs: [front, memberConfig('orders-api')],
      versions: { front: '2.0.0', 'orders-api': '1.4.1' },
    });
    const started = await h.service.startGroup({
      group: 'checkout',
      versions: [],
      requestedBy: { kind: 'person', id: 'U0REQUESTER' },
    });
    if (!started.ok) throw new Error(started.message);

    const card = releaseCard(started.release, h.now());

    expect(headerOf(card)).toBe('checkout: front + orders-api');
    expect(card.text).toMatch(
      /^🚀 checkout: Deploying the canaries, downstream first: orders-api 1\.4\.2 now \(canary 1 of 2\)/,
    );
  });

  it('waits for one approval, saying the order the members will be promoted in', async () => {
    const { h, release } = await groupIn('awaitingApproval');

    const card = releaseCard(release, h.now());

    expect(stateLine(card)).toContain(
      'Waiting for approval: press Promote to promote the members one by one: payments, orders-api, front',
    );
    expect(actionIds(card)).toContain(ACTION_IDS.promote);
  });

  it('names the member being promoted and its place in the promotion order, and keeps the settled one', async () => {
    const { h, release } = await groupIn('promotingSecond');

    const card = releaseCard(release, h.now());
    const members = membersSection(sectionTexts(card));

    expect(stateLine(card)).toContain(
      'Promoting orders-api 1.4.2 on its stable fleet (member 2 of 3), batch by batch',
    );
    expect(members).toContain(
      '*orders-api* 1.4.1 → 1.4.2 · downstream: routes tagged requests · 📦 promoting now (member 2 of 3)',
    );
    expect(members).toContain(
      '*payments* 2.0.9 → 2.1.0 · downstream: routes tagged requests · ✅ promoted (settled): stays on 2.1.0',
    );
    expect(members).toContain('*front* 2.0.0 → 2.0.1 · entry: colours requests · 🔀 routing 100% of users');
    expect(timeline(card)).toContain(
      '✓ bake payments for 5 min\n▶ *promote orders-api 1.4.2 on its stable fleet*',
    );
    expect(sectionTexts(card).join('\n')).toContain(
      '*Hosts*: promoting orders-api on its stable fleet, running',
    );
  });

  it('after a failed promotion, says plainly which member runs which version', async () => {
    const { h, release } = await groupIn('rolledBackAfterFirst');

    const card = releaseCard(release, h.now());

    expect(stateLine(card)).toContain(
      '*Now*: payments runs 2.1.0 (new); orders-api and front run their previous versions 1.4.1, 2.0.0.',
    );
    expect(membersSection(sectionTexts(card))).toContain(
      '*orders-api* 1.4.1 → 1.4.2 · downstream: routes tagged requests · ↩️ put back on 1.4.1',
    );
    expect(membersSection(sectionTexts(card))).toContain('✅ promoted (settled): stays on 2.1.0');
    expect(timeline(card)).toContain('✓ put orders-api 1.4.1 back on its stable fleet');
    expect(timeline(card)).not.toContain('put payments');
    expect(fieldTexts(card).join('\n')).toContain('promoting orders-api on its stable fleet failed');
  });

  it('says every member runs its new version once the group succeeded', async () => {
    const { h, release } = await groupIn('succeeded');

    const card = releaseCard(release, h.now());

    expect(stateLine(card)).toContain('Succeeded: every member runs its new version');
    expect(stateLine(card)).toContain(
      '*Now*: payments, orders-api and front run their new versions 2.1.0, 1.4.2, 2.0.1.',
    );
    expect(membersSection(sectionTexts(card)).match(/✅ promoted/g)).toHaveLength(3);
  });

  it('names, member by member, what a halted rollback may have left', async () => {
    const { h, release } = await groupIn('rollbackFailed');

    const state = stateLine(releaseCard(release, h.now()));

    expect(state).toContain(
      'The rollback stopped at *putting the stable hosts of payments back on their own nginx*',
    );
    expect(state).toContain(
      "the stable hosts of front, orders-api and payments may still serve through the agent's proxy; the canaries of front, orders-api and payments may still be running",
    );
    expect(state).toContain(
      '*As recorded so far*: payments, orders-api and front run their previous versions',
    );
  });

  it('shows where each member’s canary got its requests, and flags untagged ones at a downstream canary', async () => {
    const { h, release } = await groupIn('awaitingApproval', (h) =>
      h.answerPath({
        front: { tagged: 0, untagged: 1204 },
        'orders-api': { tagged: 812, untagged: 0 },
        payments: { tagged: 800, untagged: 3 },
      }),
    );

    const members = membersSection(sectionTexts(releaseCard(release, h.now())));

    expect(members).toContain('routing 100% of users · 1,204 coloured here');
    expect(members).toContain('🔀 routing tagged requests · 812 tagged · 0 untagged');
    expect(members).toContain('⚠️ 800 tagged · *3 untagged*: requests reached its canary off the tagged path');
    expect(members.match(/⚠️/g)).toHaveLength(1);
  });
});

describe('a group release card within limits', () => {
  it('escapes members’ versions and the group’s name on the card and in the thread', async () => {
    const { h, release } = await groupIn('promotingSecond');
    const hostile = '<!channel> & <@U0ATTACKER>';
    const withHostile = ['payments', 'orders-api'].reduce(
      (r, service) => withMember(r, service, (m) => ({ ...m, toVersion: hostile })),
      release,
    );
    const group = withHostile.group;
    const shown: Release = { ...withHostile, ...(group ? { group: { ...group, name: '<!here>' } } : {}) };

    const card = releaseCard(shown, h.now());
    const reply = noticeReply(shown, {
      kind: 'commandResult',
      operation: 'promote',
      member: '<!channel>',
      status: 'failed',
      leadsTo: 'rollingBack',
    });

    // The header is plain text, which Slack never parses for mentions; everything else is mrkdwn.
    const json = JSON.stringify([card.text, card.blocks.slice(1), reply]);
    expect(json).not.toMatch(/<!channel>|<!here>|<@U0ATTACKER>/);
    expect(json).toContain(
      'Promoting orders-api &lt;!channel&gt; &amp; &lt;@U0ATTACKER&gt; on its stable fleet',
    );
    expect(json).toContain('✅ promoted (settled): stays on &lt;!channel&gt; &amp; &lt;@U0ATTACKER&gt;');
    expect(reply.text).toBe(
      '&lt;!here&gt;: Promoting &lt;!channel&gt; on its stable fleet failed; rolling back.',
    );
  });

  it('keeps a six-member group with long names and versions within every Block Kit limit', async () => {
    const services = ['front', 'orders-api', 'payments', 'ledger', 'fraud', 'mailer'];
    const h = harness({
      configs: services.map((s) => memberConfig(s)),
      versions: Object.fromEntries(services.map((s) => [s, '1.0.0'])),
    });
    const id = await startGroupOf(h, services);
    const started = await h.load(id);
    const long = services.reduce(
      (r, s) =>
        withMember(r, s, (m) => ({
          ...m,
          fromVersion: 'v'.repeat(200),
          toVersion: `${'w'.repeat(200)}<&>`,
          path: { tagged: 1e9, untagged: 1e9 },
        })),
      started,
    );

    const card = releaseCard(long, h.now());

    expectWithinLimits(card);
    const members = membersSection(sectionTexts(card));
    expect(members.split('\n')).toHaveLength(7);
    expect(members).not.toContain('more');
    expect(members.match(/⚠️/g)).toHaveLength(5);
  });
});

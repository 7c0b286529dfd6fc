import { describe, expect, it } from 'vitest';
import { memoryServiceConfigs } from '../../adapters/memory-service-configs';
import { noticeSchema } from '../../adapters/notice-schema';
import { noticeReply, noticeText } from '../../adapters/slack-presentation/notice-reply';
import { freezeService } from '../../app/freeze-service';
import { describeNotice, type Notice } from '../../domain/notice';
import type { Release } from '../../domain/types';
import { answerCommand, type Requester, type SlackDeps } from '../../handlers/slack/command-answers';
import { memberConfig } from '../app/group-fixtures';
import type { harness } from '../support/harness';
import { listRequestsFor } from '../support/routing-lists';
import { groupIn } from './release-card-group-fixtures';

/* A group release in its thread and in `/canary status` and `list`: the group, its members, each step's member. */

type Harness = ReturnType<typeof harness>;

const threadOf = (h: Harness, release: Release) =>
  h.notices.map((n) => noticeReply(release, n.notice.notice).text);

function depsOf(h: Harness): SlackDeps {
  const configs = memoryServiceConfigs(['front', 'orders-api', 'payments'].map((s) => memberConfig(s)));
  const clock = { now: () => h.now() };
  const freezes = freezeService({ store: h.store, configs, clock, admins: { users: [], groups: [] } });
  const lists = listRequestsFor({ configs, store: h.store });
  return { service: h.service, store: h.store, configs, freezes, plans: h.previewing(), lists };
}

const someone: Requester = {
  userId: 'U0STRANGER1',
  requestId: 'slack:status',
  groupsAmong: async () => [],
  groupHandles: async () => new Map(),
};

describe('a group release in its thread', () => {
  it('starts with every member and its versions, the entry first', async () => {
    const { h, release } = await groupIn('verifying');

    const [started] = threadOf(h, release);

    expect(started).toBe(
      'front + orders-api + payments: <@U0REQUESTER> started a group release of front 2.0.0 → 2.0.1 (entry), orders-api 1.4.1 → 1.4.2, payments 2.0.9 → 2.1.0, in steps of 10% → 100%.',
    );
  });

  it('names the member of every host step, and of the one that failed', async () => {
    const { h, release } = await groupIn('rolledBackAfterFirst');

    const thread = threadOf(h, release);

    expect(thread).toContain('front + orders-api + payments: Finished deploying the canary of payments.');
    expect(thread).toContain(
      'front + orders-api + payments: Finished promoting payments on its stable fleet.',
    );
    expect(thread.join('\n')).toMatch(/Promoting orders-api on its stable fleet failed; rolling back\./);
    expect(thread).toContain(
      'front + orders-api + payments: Finished putting the old version of orders-api back on its stable fleet.',
    );
    expect(thread.join('\n')).not.toMatch(/Finished promoting the new version on the stable fleet/);
  });

  it('keeps the member when a notice is stored and read back', () => {
    const notice: Notice = {
      kind: 'hostResult',
      operation: 'removeCanary',
      member: 'payments',
      hostId: 'i-1',
      status: 'failed',
      output: 'docker: no such container',
      leadsTo: 'none',
    };

    const read = noticeSchema.parse(JSON.parse(JSON.stringify(notice)));

    expect(read).toEqual(notice);
    expect(describeNotice(notice)).toBe('On i-1, removing the canary of payments failed.');
  });

  it('escapes members and versions in the start notice', () => {
    const notice: Notice = {
      kind: 'requested',
      by: { kind: 'pipeline', id: 'ci' },
      service: 'front',
      fromVersion: '1',
      toVersion: '2',
      strategy: { kind: 'steps', steps: [100], bakeSeconds: 60 },
      members: [
        { service: 'front', fromVersion: '1', toVersion: '2' },
        { service: '<!channel>', fromVersion: '<@U0ATTACKER>', toVersion: 'a & b' },
      ],
    };

    const text = noticeText(notice);

    expect(text).toContain('&lt;!channel&gt; &lt;@U0ATTACKER&gt; → a &amp; b');
    expect(text).not.toMatch(/<!channel>|<@U0ATTACKER>/);
  });
});

describe('a group release in /canary status and list', () => {
  it('answers `/canary status` for any member with the whole group', async () => {
    const { h } = await groupIn('promotingSecond');

    const answers = await Promise.all(
      ['payments', 'orders-api', 'front'].map((service) =>
        answerCommand(depsOf(h), { kind: 'status', service }, someone),
      ),
    );

    for (const answer of answers) {
      expect(answer).toContain(
        '*front + orders-api + payments* (group) front 2.0.0 → 2.0.1 · orders-api 1.4.1 → 1.4.2 · payments 2.0.9 → 2.1.0: promoting on the stable fleet',
      );
    }
  });

  it('lists a group release once, as the group', async () => {
    const { h } = await groupIn('awaitingApproval');

    const list = await answerCommand(depsOf(h), { kind: 'list' }, someone);

    expect(typeof list === 'string' ? list.split('\n').filter((l) => l.startsWith('• ')) : []).toEqual([
      expect.stringContaining(
        '• *front + orders-api + payments* (group) front 2.0.0 → 2.0.1 · orders-api 1.4.1 → 1.4.2 · payments 2.0.9 → 2.1.0: waiting for approval',
      ),
    ]);
  });
});

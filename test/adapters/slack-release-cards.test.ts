import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryCardRefs } from '../../adapters/dynamo-card-refs';
import { slackReleaseCards } from '../../adapters/slack-release-cards';
import { hostOperationRunOf } from '../../domain/steps';
import type { Release } from '../../domain/types';
import { type SlackStandin, slackStandin } from '../../local/slack-standin';
import { bumped, newRelease, T0 } from '../support/releases';

let slack: SlackStandin;
beforeAll(async () => {
  slack = slackStandin({
    signingSecret: 's',
    appUrl: () => 'http://127.0.0.1:9/',
    channel: 'C0RELEASES',
    users: [],
  });
  await slack.start();
});
afterAll(() => slack.stop());
beforeEach(() => slack.reset());

function notifierOver(releases: Map<string, Release>) {
  return slackReleaseCards({
    client: async () => new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl() }),
    cards: memoryCardRefs(),
    releases: { load: async (id) => releases.get(id) ?? null },
    clock: { now: () => T0 },
  });
}

const calls = (method: string) => slack.calls().filter((c) => c.method === method);
const cardsInChannel = () => slack.messages().filter((m) => m.from === 'app' && !m.threadTs);

describe('the Slack release card notifier', () => {
  it('posts one card when two notices race to post it first, and deletes the loser', async () => {
    const { release } = newRelease();
    const notifier = notifierOver(new Map([[release.id, release]]));

    await Promise.all([
      notifier.releaseChanged(release, { notice: { kind: 'legacy', text: 'a' }, severity: 'info' }),
      notifier.releaseChanged(release, { notice: { kind: 'legacy', text: 'b' }, severity: 'info' }),
    ]);

    expect(calls('chat.postMessage')).toHaveLength(2);
    expect(calls('chat.delete')).toHaveLength(1);
    expect(cardsInChannel()).toHaveLength(1);
  });

  it('ends showing the newest release when an older notice finishes last', async () => {
    const { release } = newRelease();
    const newer = bumped(release, { state: 'startingMirror' });
    const releases = new Map([[release.id, newer]]);
    const notifier = notifierOver(releases);
    await notifier.releaseChanged(newer, { notice: { kind: 'legacy', text: 'newer' }, severity: 'info' });

    await notifier.releaseChanged(release, {
      notice: { kind: 'legacy', text: 'late and old' },
      severity: 'info',
    });

    const shown = JSON.stringify(cardsInChannel()[0]?.blocks);
    expect(shown).toContain('Giving the canary a 10% mirror of live requests');
  });

  it('honours a 429 and its Retry-After, and still ends showing the newest release', async () => {
    const { release } = newRelease();
    const newer = bumped(release, { state: 'startingMirror' });
    const releases = new Map([[release.id, release]]);
    const notifier = notifierOver(releases);
    await notifier.releaseChanged(release, { notice: { kind: 'legacy', text: 'started' }, severity: 'info' });
    // Over chat.update's tier: Slack answers the next two updates 429, retry after 1 s.
    slack.rateLimit('chat.update', { calls: 2, retryAfterSeconds: 1 });

    releases.set(newer.id, newer);
    await Promise.all([
      notifier.releaseChanged(release, { notice: { kind: 'legacy', text: 'old' }, severity: 'info' }),
      notifier.releaseChanged(newer, { notice: { kind: 'legacy', text: 'new' }, severity: 'info' }),
    ]);

    const updates = calls('chat.update').map((c) => c.status);
    expect(updates.filter((status) => status === 429)).toHaveLength(2);
    expect(updates.at(-1)).toBe(200);
    expect(JSON.stringify(cardsInChannel()[0]?.blocks)).toContain('Giving the canary a 10% mirror');
  }, 20_000);

  it('coalesces host progress: the first host, every tenth, and any failure update the card', async () => {
    const { release } = newRelease();
    const releases = new Map([[release.id, release]]);
    const notifier = notifierOver(releases);
    await notifier.releaseChanged(release, { notice: { kind: 'legacy', text: 'started' }, severity: 'info' });
    const run = release.run;
    if (run?.kind !== 'hostOperation') throw new Error('the release should be running deployCanary');

    let current = release;
    for (let host = 1; host <= 25; host++) {
      const status = host === 17 ? 'failed' : 'success';
      current = bumped(current, {
        run: { ...run, hosts: { ...hostOperationRunOf(current)?.hosts, [`i-${host}`]: status } },
      });
      releases.set(current.id, current);
      await notifier.releaseChanged(current, {
        notice: { kind: 'legacy', text: `host ${host}` },
        severity: 'progress',
      });
    }

    // Host 1, host 10, then every result from the failure on (17 to 25, 20 among them): 11 updates, not 25.
    expect(calls('chat.update')).toHaveLength(11);
  });

  it('updates the card for new path counts while it waits for approval, and writes nothing in the thread', async () => {
    const { release } = newRelease();
    const releases = new Map([[release.id, release]]);
    const notifier = notifierOver(releases);
    await notifier.releaseChanged(release, { notice: { kind: 'legacy', text: 'started' }, severity: 'info' });
    const waiting = bumped(release, { state: 'awaitingApproval', run: undefined });
    releases.set(waiting.id, waiting);
    const updates = calls('chat.update').length;

    await notifier.releaseChanged(waiting, {
      notice: { kind: 'pathCounted', members: [] },
      severity: 'progress',
    });
    await notifier.releaseChanged(waiting, {
      notice: { kind: 'legacy', text: 'idle' },
      severity: 'progress',
    });

    // The counts are the approver's evidence: shown at once. Other progress with no host result is not.
    expect(calls('chat.update')).toHaveLength(updates + 1);
    expect(calls('chat.postMessage').filter((c) => c.body.thread_ts !== undefined)).toEqual([]);
  });

  it('puts details in the thread and broadcasts a rollback to the channel', async () => {
    const { release } = newRelease();
    const rolling = bumped(release, {
      state: 'rollingBack',
      rollback: {
        reason: { kind: 'alarm', alarmName: 'orders-api-canary-5xx', reason: 'Threshold Crossed' },
        startedAt: T0,
        steps: [],
        cursor: 0,
        attempts: 1,
      },
    });
    const notifier = notifierOver(new Map([[release.id, rolling]]));
    await notifier.releaseChanged(release, { notice: { kind: 'legacy', text: 'started' }, severity: 'info' });

    await notifier.releaseChanged(rolling, {
      notice: {
        kind: 'alarmFired',
        alarmName: 'orders-api-canary-5xx',
        reason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).',
      },
      severity: 'critical',
    });

    const reply = calls('chat.postMessage').at(-1)?.body;
    expect(reply?.thread_ts).toBe(cardsInChannel()[0]?.ts);
    expect(String(reply?.reply_broadcast)).toBe('true');
    expect(JSON.stringify(reply)).toContain('Threshold Crossed');
  });
});

import type { WebClient } from '@slack/web-api';
import { type Notice, noticeDetail } from '../domain/notice';
import { isTerminal } from '../domain/policies';
import type { CardRef, CardRefs, Clock, Notifier, ReleaseStore } from '../domain/ports';
import type { QueuedStart } from '../domain/queue';
import { isQueueNotice } from '../domain/queue-notice';
import { hostOperationRunOf } from '../domain/steps';
import type { Release } from '../domain/types';
import { noticeReply } from './slack-presentation/notice-reply';
import { releaseCard } from './slack-presentation/release-card';

export interface SlackCardDeps {
  /** The Web API client, built once the bot token is known (it comes from SSM). */
  readonly client: () => Promise<WebClient>;
  readonly cards: CardRefs;
  /** Read for the newest release, and for the start queued behind a running one (shown on its card). */
  readonly releases: Pick<ReleaseStore, 'load'> & Partial<Pick<ReleaseStore, 'queuedStart'>>;
  /** The engine's clock: the card's "time left" is counted from its now. */
  readonly clock: Clock;
  /** How many times faster than `clock` the timers fire (the sandbox's speed-up); 1 on AWS. */
  readonly speedUp?: number;
}

/**
 * The release's living message in its service's channel: posted once, then updated in place (`chat.update`).
 * Details go to the message's thread; critical notices (a rollback and why) and a rollback's result are also
 * broadcast to the channel, so they reach people who are not watching the card.
 *
 * Notices can run concurrently and out of order (two Lambdas, the sweeper), so:
 *   - the first post claims the card (put-if-absent); a post that loses the claim deletes itself;
 *   - an update renders the release it was given, then reads the stored one and renders again if the release
 *     moved on meanwhile, so the last update to finish always shows the newest state.
 *
 * Progress notices (one per host result) are coalesced: the card shows the first host and every tenth, so a
 * 500-host fleet costs 50 updates per operation, not 500, and stays inside Slack's chat.update rate limits.
 */
export function slackReleaseCards(deps: SlackCardDeps): Notifier {
  /** The start queued behind a running release, read once per notice; a release that ended shows none. */
  async function queuedBehind(release: Release): Promise<QueuedStart | null> {
    if (isTerminal(release.state) || deps.releases.queuedStart === undefined) return null;
    return deps.releases.queuedStart(release.service);
  }

  async function post(web: WebClient, release: Release, queued: QueuedStart | null): Promise<CardRef> {
    const card = releaseCard(release, deps.clock.now(), deps.speedUp, queued);
    const posted = await web.chat.postMessage({
      channel: release.policy.channel,
      ...card,
      blocks: [...card.blocks],
    });
    const ref = { channel: posted.channel ?? release.policy.channel, ts: String(posted.ts) };
    if (await deps.cards.claim(release.id, ref)) return ref;
    await web.chat.delete({ channel: ref.channel, ts: ref.ts });
    const winner = await deps.cards.get(release.id);
    if (!winner) throw new Error(`card of ${release.id} claimed but not found`);
    await refresh(web, winner, release, queued);
    return winner;
  }

  /** Shows `given`, then the newest stored release if it moved on meanwhile (one read per update). */
  async function refresh(web: WebClient, ref: CardRef, given: Release, queued: QueuedStart | null) {
    let shown = given;
    for (let round = 0; round < 3; round++) {
      const card = releaseCard(shown, deps.clock.now(), deps.speedUp, queued);
      await web.chat.update({ channel: ref.channel, ts: ref.ts, ...card, blocks: [...card.blocks] });
      const latest = await deps.releases.load(given.id);
      if (latest === null || latest.version <= shown.version) return;
      shown = latest;
    }
  }

  return {
    async releaseChanged(release, { notice, severity }) {
      if (severity === 'progress' && !worthShowing(release, notice)) return;
      const web = await deps.client();
      const [existing, queued] = await Promise.all([deps.cards.get(release.id), queuedBehind(release)]);
      const ref = existing ?? (await post(web, release, queued));
      if (existing) await refresh(web, ref, release, queued);
      const result = release.state === 'rolledBack' || release.state === 'rollbackFailed';
      // A queued start refused when its turn came is news for the channel: nobody may be watching this card.
      const dropped = notice.kind === 'queuedStartDropped';
      const broadcast = severity === 'critical' || dropped || (result && severity !== 'progress');
      if (noticeDetail(notice) === undefined && !broadcast && !isQueueNotice(notice)) return;
      const reply = noticeReply(release, notice);
      await web.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        reply_broadcast: broadcast,
        ...reply,
        blocks: [...reply.blocks],
      });
    },
  };
}

/** A progress notice worth an update of its own: new path counts; a host result: the first, every tenth, any failure. */
function worthShowing(release: Release, notice: Notice): boolean {
  // New path counts are the card's proof that the path held: an approver judges on them.
  if (notice.kind === 'pathCounted') return true;
  const results = Object.values(hostOperationRunOf(release)?.hosts ?? {}).filter(
    (status) => status !== 'pending',
  );
  return (
    results.length === 1 ||
    (results.length > 0 && results.length % 10 === 0) ||
    results.some((s) => s !== 'success')
  );
}

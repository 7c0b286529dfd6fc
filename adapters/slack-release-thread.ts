import type { WebClient } from '@slack/web-api';
import type { CardRefs, ReleaseThread } from '../domain/ports';

export interface SlackThreadDeps {
  /** The Web API client, built once the bot token is known (it comes from SSM). */
  readonly client: () => Promise<WebClient>;
  readonly cards: Pick<CardRefs, 'get'>;
}

/**
 * Pictures in the release's thread, under its living message: `files.uploadV2` (Slack's external upload: an upload
 * URL, the bytes, then completing the upload into the channel and thread). Needs the `files:write` scope. A
 * failed upload throws, and the effect is retried.
 */
export function slackReleaseThread(deps: SlackThreadDeps): ReleaseThread {
  return {
    async postImage(release, image) {
      const card = await deps.cards.get(release.id);
      // No card, no thread: the card is posted at the release's first notice, long before a window ends and a
      // chart is drawn, so a release without one never reached Slack (its notices failed or went elsewhere).
      // Posting the chart in the channel instead would show a picture with nothing to say what it is about, and
      // failing would keep the effect in the outbox for a card that retrying cannot bring: post nothing.
      if (card === null) return;
      const web = await deps.client();
      await web.files.uploadV2({
        channel_id: card.channel,
        thread_ts: card.ts,
        file: Buffer.from(image.png),
        filename: image.filename,
        title: image.title,
        alt_text: image.altText,
      });
    },
  };
}

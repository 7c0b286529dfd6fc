import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryCardRefs } from '../../adapters/dynamo-card-refs';
import { slackReleaseThread } from '../../adapters/slack-release-thread';
import type { CardRefs, EvidenceImage } from '../../domain/ports';
import { type SlackStandin, slackStandin } from '../../local/slack-standin';
import { newRelease } from '../support/releases';

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

const web = () => new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl(), retryConfig: { retries: 0 } });
const calls = (method: string) => slack.calls().filter((c) => c.method === method);

/** A PNG's signature and a few bytes more: enough for Slack, which stores what it is sent. */
const image: EvidenceImage = {
  png: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 250]),
  filename: 'canary-vs-stable-20261204T1000Z.png',
  title: 'orders-api 1.4.2: canary against stable',
  altText: 'Line chart of canary (orange) against stable (blue): error %, p99 (ms)',
};

/** Two cards in the channel, as two releases would have; returns the refs that know the first one. */
async function twoCards(releaseId: string): Promise<{ cards: CardRefs; ts: string }> {
  const cards = memoryCardRefs();
  const posted = await web().chat.postMessage({ channel: 'C0RELEASES', text: 'card of the release' });
  await web().chat.postMessage({ channel: 'C0RELEASES', text: 'card of another release' });
  await cards.claim(releaseId, { channel: String(posted.channel), ts: String(posted.ts) });
  return { cards, ts: String(posted.ts) };
}

describe('the Slack release thread', () => {
  it("uploads the picture with files.uploadV2 into the thread of the release's card", async () => {
    const { release } = newRelease();
    const { cards, ts } = await twoCards(release.id);

    await slackReleaseThread({ client: async () => web(), cards }).postImage(release, image);

    const [file] = slack.files();
    expect(slack.files()).toHaveLength(1);
    expect(Uint8Array.from(file?.bytes ?? [])).toEqual(image.png);
    expect(file).toMatchObject({
      name: image.filename,
      title: image.title,
      mimetype: 'image/png',
      altText: image.altText,
    });
    const shared = slack.messages().filter((m) => (m.files ?? []).length > 0);
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatchObject({ channel: 'C0RELEASES', threadTs: ts, from: 'app' });
    expect(shared[0]?.files?.map((f) => f.id)).toEqual([file?.id]);
    const completed = calls('files.completeUploadExternal')[0]?.body;
    expect(completed).toMatchObject({ channel_id: 'C0RELEASES', thread_ts: ts });
  });

  it('serves the uploaded picture at the URL the console shows', async () => {
    const { release } = newRelease();
    const { cards } = await twoCards(release.id);

    await slackReleaseThread({ client: async () => web(), cards }).postImage(release, image);

    const url = slack.messages().find((m) => m.files)?.files?.[0]?.url ?? '';
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(image.png);
  });

  it('posts nothing while the release has no card', async () => {
    const { release } = newRelease();

    await slackReleaseThread({ client: async () => web(), cards: memoryCardRefs() }).postImage(
      release,
      image,
    );

    expect(calls('files.getUploadURLExternal')).toHaveLength(0);
    expect(slack.messages()).toHaveLength(0);
  });

  it('throws when Slack refuses the upload, so that the effect is retried', async () => {
    const { release } = newRelease();
    const { cards } = await twoCards(release.id);
    const elsewhere = async () =>
      new WebClient('xoxb-test', { slackApiUrl: `${slack.url()}/nowhere/`, retryConfig: { retries: 0 } });

    await expect(
      slackReleaseThread({ client: elsewhere, cards }).postImage(release, image),
    ).rejects.toThrow();
    expect(slack.files()).toHaveLength(0);
  });
});

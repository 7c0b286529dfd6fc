/**
 * The chart in the console: the real WebClient uploads a PNG with files.uploadV2 into a card's thread on the Slack
 * stand-in, and Debian's headless Chromium (playwright-core) shows it there as a loaded image with its alt text.
 */
import { existsSync } from 'node:fs';
import { WebClient } from '@slack/web-api';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCardRefs } from '../../adapters/dynamo-card-refs';
import { slackReleaseThread } from '../../adapters/slack-release-thread';
import { localEvidenceCharts } from '../../local/evidence-charts';
import { type SlackStandin, slackStandin } from '../../local/slack-standin';
import { newRelease } from '../support/releases';

const CHROMIUM = '/usr/bin/chromium';

let slack: SlackStandin;
let browser: Browser | undefined;
beforeAll(async () => {
  slack = slackStandin({
    signingSecret: 's',
    appUrl: () => 'http://127.0.0.1:9/',
    channel: 'C0RELEASES',
    users: [{ id: 'UANA', name: 'ana' }],
  });
  await slack.start();
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`npm run setup\`.`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await slack?.stop();
});

describe('the console', () => {
  it("shows a picture uploaded with files.uploadV2 in the release's thread", async () => {
    const { release } = newRelease();
    const web = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl() });
    const card = await web.chat.postMessage({ channel: 'C0RELEASES', text: 'the release card' });
    const cards = memoryCardRefs();
    await cards.claim(release.id, { channel: String(card.channel), ts: String(card.ts) });
    // No metric has data: the renderer still draws the axes, the legend and "No data".
    const charts = localEvidenceCharts({
      getMetricData: async () => ({ MetricDataResults: [], $metadata: {} }),
    });
    const span = { from: '2026-12-04T10:00:00.000Z', to: '2026-12-04T10:05:00.000Z', periodSeconds: 60 };
    const image = await charts.draw(
      [],
      { ...span, baseline: 'sameTime' },
      'orders-api 1.4.2: canary against stable',
    );

    await slackReleaseThread({ client: async () => web, cards }).postImage(release, image);
    const page = await (browser as Browser).newPage();
    await page.goto(slack.url());
    const picture = page.locator('.thread figure.file img');
    await picture.waitFor({ timeout: 10_000 });

    expect(await picture.getAttribute('alt')).toBe(image.altText);
    await expect
      .poll(() =>
        picture.evaluate((img) => {
          // An <img>, without the DOM's types in this project.
          const { complete, naturalWidth } = img as unknown as { complete: boolean; naturalWidth: number };
          return [complete, naturalWidth];
        }),
      )
      .toEqual([true, 800]);
    expect(await page.locator('.thread figure.file figcaption').textContent()).toBe(image.title);
  });
});

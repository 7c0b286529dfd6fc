import { createServer } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { type SlackStandin, slackStandin } from '../../local/slack-standin';

const SECRET = 'sandbox-signing-secret';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let standin: SlackStandin | undefined;
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  await standin?.stop();
});

/** A real Bolt app over HTTP, verifying signatures, pointed at the stand-in's Web API. */
async function boltAppWith(secret: string) {
  const port = await freePort();
  standin = slackStandin({
    signingSecret: secret,
    appUrl: () => `http://127.0.0.1:${port}/slack/events`,
    channel: 'CRELEASES',
    users: [{ id: 'UANA', name: 'ana' }],
  });
  await standin.start();
  const bolt = new App({
    signingSecret: SECRET,
    token: 'xoxb-sandbox',
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: standin.apiUrl() },
  });
  const seen: string[] = [];
  bolt.command('/canary', async ({ ack, command, client }) => {
    await ack({ response_type: 'ephemeral', text: `ok ${command.text}` });
    await client.chat.postMessage({
      channel: command.channel_id,
      text: 'card',
      blocks: [
        {
          type: 'actions',
          block_id: 'b1',
          elements: [
            {
              type: 'button',
              action_id: 'promote',
              text: { type: 'plain_text', text: 'Promote' },
              value: 'r-1',
            },
          ],
        },
      ],
    });
  });
  bolt.action('promote', async ({ ack, body, action }) => {
    seen.push(`${body.user.id}:${'value' in action ? action.value : ''}`);
    await ack();
  });
  await bolt.start(port);
  app = bolt;
  return { standin, seen };
}

describe('the sandbox Slack stand-in', () => {
  it('sends slash commands and clicks that Bolt accepts as signed, and shows what the app posts', async () => {
    const { standin: slack, seen } = await boltAppWith(SECRET);

    const reply = await slack.command('UANA', 'status orders-api');
    const card = await slack.waitForMessage((m) => m.from === 'app' && m.text === 'card');
    const clicked = await slack.click('UANA', card.id, 'promote', 'r-1', 'b1');

    expect(reply.status).toBe(200);
    expect(slack.messages().some((m) => m.visibleTo === 'UANA' && m.text === 'ok status orders-api')).toBe(
      true,
    );
    expect(card.blocks).toHaveLength(1);
    expect(clicked.status).toBe(200);
    expect(seen).toEqual(['UANA:r-1']);
  });

  it('takes a line that already starts with /canary as typed, and adds /canary only to one that does not', async () => {
    const { standin: slack } = await boltAppWith(SECRET);

    await slack.command('UANA', '/canary status x');
    await slack.command('UANA', 'history x');
    await slack.command('UANA', '/deploy x');

    const typed = slack
      .messages()
      .filter((m) => m.from === 'user')
      .map((m) => m.text);
    const answers = slack
      .messages()
      .filter((m) => m.from === 'app' && m.visibleTo === 'UANA')
      .map((m) => m.text);
    expect(typed).toEqual(['/canary status x', '/canary history x', '/deploy x']);
    expect(answers).toContain('ok status x');
    expect(answers).toContain('ok history x');
    expect(answers).toContain('`/deploy` is not a valid command here: this sandbox knows only `/canary`.');
    expect(answers.filter((text) => text.startsWith('ok /'))).toEqual([]);
  });

  it('is refused by Bolt when it signs with another secret', async () => {
    const { standin: slack } = await boltAppWith('not-the-apps-secret');

    const reply = await slack.command('UANA', 'help');

    expect(reply.status).toBe(401);
    expect(slack.messages().filter((m) => m.from === 'app')).toEqual([]);
  });
});

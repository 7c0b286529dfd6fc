import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { slackHandler } from '../handlers/slack';
import type { SlackDeps } from '../handlers/slack/command-answers';
import { serveLambda } from './lambda-http';
import { SANDBOX_USERS } from './sandbox-config';
import { slackStandin } from './slack-standin';

/**
 * The sandbox's Slack: the real Slack function behind a loopback HTTP API, signed by a secret made for this run,
 * and the stand-in that answers its Web API calls and serves the console people use (or, for Socket Mode
 * development, a real workspace's Web API for the cards).
 */
export async function sandboxSlack(
  options: {
    readonly channel: string;
    /** The Slack function's use cases, built after this (they need the store and the hand-off). */
    readonly deps: () => SlackDeps;
    readonly consolePort?: number;
    readonly realSlack?: { readonly botToken: string };
  },
  stopping: (() => Promise<void> | void)[],
) {
  const signingSecret = randomBytes(16).toString('hex');
  const secrets = { signingSecret, botToken: `xoxb-sandbox-${randomBytes(8).toString('hex')}` };
  const slackApi = serveLambda(
    'slack',
    { method: 'POST', path: '/slack/events' },
    slackHandler(async () => ({ deps: options.deps(), secrets, slackApiUrl: slack.apiUrl() })),
  );
  const slack = slackStandin({
    signingSecret,
    appUrl: slackApi.url,
    channel: options.channel,
    users: SANDBOX_USERS,
  });
  const consoleUrl = await slack.start(options.consolePort ?? 0);
  stopping.push(() => slack.stop());
  await slackApi.start();
  stopping.push(() => slackApi.stop());
  const cardClient = options.realSlack
    ? new WebClient(options.realSlack.botToken)
    : new WebClient(secrets.botToken, { slackApiUrl: slack.apiUrl() });
  return { slack, consoleUrl, cardClient };
}

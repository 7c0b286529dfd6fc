/**
 * `npm run slack:socket`: the sandbox's agent (DynamoDB Local, loopback nginx hosts) driven from a real Slack
 * workspace over Socket Mode, with the same listeners as the Lambda function (handlers/slack/canary-listeners.ts).
 * No public URL is needed. Set, from your development Slack app (README, "Local development over Socket Mode"):
 *
 *   SLACK_APP_TOKEN   xapp-…  (an app-level token with connections:write)
 *   SLACK_BOT_TOKEN   xoxb-…
 *   SLACK_CHANNEL_ID  the channel the release cards go to, e.g. C0123ABCD (invite the bot there)
 *   SLACK_APPROVERS   comma-separated user ids who may press Promote, e.g. U024BE7LH,U0G9QF9C6
 */
// First, so the quiet defaults hold before any module builds a logger or an SDK client.
import './quiet-defaults';
import { rmSync } from 'node:fs';
import { App } from '@slack/bolt';
import * as z from 'zod';
import { patterns } from '../domain/patterns';
import { boltLogger } from '../handlers/slack/bolt-app';
import { registerCanary } from '../handlers/slack/canary-listeners';
import { sandboxDir, startSandbox } from './sandbox';
import { stopOnSignal } from './stop-on-signal';

const env = z
  .object({
    SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'an app-level token (xapp-…) with connections:write'),
    SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'the bot token (xoxb-…)'),
    SLACK_CHANNEL_ID: z.string().regex(patterns.slackChannelId, 'a channel id such as C0123ABCD'),
    SLACK_APPROVERS: z
      .string()
      .transform((value) => value.split(',').map((id) => id.trim()))
      .pipe(z.array(z.string().regex(patterns.slackUserId, 'user ids such as U024BE7LH')).min(1)),
  })
  .safeParse(process.env);
if (!env.success) {
  for (const issue of env.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
  console.error('\nSee the comment at the top of local/socket-mode.ts, or the README.');
  process.exit(2);
}
const { SLACK_APP_TOKEN, SLACK_BOT_TOKEN, SLACK_CHANNEL_ID, SLACK_APPROVERS } = env.data;

const dir = sandboxDir();
const sandbox = await startSandbox({
  dir,
  speedUp: 20,
  realSlack: { botToken: SLACK_BOT_TOKEN, channel: SLACK_CHANNEL_ID, approvers: SLACK_APPROVERS },
});
const app = new App({
  token: SLACK_BOT_TOKEN,
  appToken: SLACK_APP_TOKEN,
  socketMode: true,
  logger: boltLogger,
});
registerCanary(app, sandbox.slackDeps);
await app.start();
console.log(
  `Connected over Socket Mode. Type /canary help in Slack; cards go to <#${SLACK_CHANNEL_ID}>. Ctrl-C stops.`,
);

stopOnSignal(async () => {
  await app.stop();
  await sandbox.stop();
  rmSync(dir, { recursive: true, force: true });
});

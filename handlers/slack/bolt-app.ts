import { App, type AppOptions, AwsLambdaReceiver, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { logger } from '../log';
import { registerCanary } from './canary-listeners';
import type { SlackDeps } from './command-answers';

export interface SlackSecrets {
  readonly signingSecret: string;
  readonly botToken: string;
}

/**
 * Bolt's logs go to the agent's logger, without Bolt's debug output: that prints whole requests, and Slack
 * requests carry response URLs and user ids that must not reach the logs.
 */
export const boltLogger: BoltLogger = {
  debug: () => {},
  info: (...msg) => logger.info(msg.map(String).join(' ')),
  warn: (...msg) => logger.warn(msg.map(String).join(' ')),
  error: (...msg) => logger.error(msg.map(String).join(' ')),
  setLevel: () => {},
  getLevel: () => LogLevel.INFO,
  setName: () => {},
};

/**
 * The agent's Bolt app on Lambda: the AWS Lambda receiver, `/canary` and the card buttons registered.
 * `authorize` hands Bolt the bot token directly: with only `token`, Bolt calls `auth.test` on every request.
 */
export function lambdaSlackApp(
  deps: SlackDeps,
  secrets: SlackSecrets,
  clientOptions?: AppOptions['clientOptions'],
) {
  const receiver = new AwsLambdaReceiver({ signingSecret: secrets.signingSecret, logger: boltLogger });
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: secrets.botToken }),
    ignoreSelf: false,
    logger: boltLogger,
    clientOptions,
  });
  registerCanary(app, deps);
  app.error(async (error) => {
    logger.error('bolt listener failed', { code: error.code, reason: error.message });
  });
  return receiver.toHandler();
}

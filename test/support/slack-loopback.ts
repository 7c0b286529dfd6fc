import { afterAll, beforeAll } from 'vitest';
import { logger } from '../../handlers/log';
import { serveLambda } from '../../local/lambda-http';
import { type SlackStandin, slackStandin } from '../../local/slack-standin';
import { type LocalDynamo, startLocalDynamo } from './dynamodb-local';

type SlackFunction = Parameters<typeof serveLambda>[2];

/**
 * For one test file: DynamoDB Local, the Slack stand-in (its people and user groups), and the Slack function behind
 * a loopback HTTP API, as Slack reaches it. `handler()` is read on every request, so each test can compose its own.
 * The fields are set before the file's first test.
 */
export function slackOnLoopback(
  options: {
    readonly signingSecret: string;
    readonly channel: string;
    readonly users: readonly string[];
    readonly userGroups?: Readonly<Record<string, readonly string[]>>;
  },
  handler: () => SlackFunction,
) {
  const env = {} as { dynamo: LocalDynamo; standin: SlackStandin };
  let http: ReturnType<typeof serveLambda> | undefined;

  beforeAll(async () => {
    logger.setLogLevel('SILENT');
    env.dynamo = await startLocalDynamo();
    env.standin = slackStandin({
      signingSecret: options.signingSecret,
      appUrl: () => http?.url() ?? '',
      channel: options.channel,
      users: options.users.map((id) => ({ id, name: id })),
      userGroups: options.userGroups ?? {},
    });
    await env.standin.start();
    http = serveLambda('slack', { method: 'POST', path: '/slack/events' }, (event, context) =>
      handler()(event, context),
    );
    await http.start();
  });

  afterAll(async () => {
    await http?.stop();
    await env.standin?.stop();
    await env.dynamo?.stop();
  });

  return env;
}

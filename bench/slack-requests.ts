import { pathToFileURL } from 'node:url';
import { signedHeaders } from '../handlers/slack/request-signature';
import { configInput } from '../local/fixture-service-config';
import { STAGE_PATH } from '../local/lambda-env';
import { lambdaContext } from '../local/lambda-http';
import { type SlackStandin, slackStandin } from '../local/slack-standin';
import { median, percentile, table } from './bench-table';
import { count } from './quick';

export const SLACK_SECRET = 'bench-signing-secret';

/** The Slack stand-in a bench's releases post their cards to, started (no app behind it, no people). */
export async function benchSlack(): Promise<SlackStandin> {
  const slack = slackStandin({
    signingSecret: SLACK_SECRET,
    appUrl: () => 'http://127.0.0.1:9/unused',
    channel: 'C0RELEASES',
    users: [],
  });
  await slack.start();
  return slack;
}
const WARM_REQUESTS = count(60, 5);

/** A signed `/canary status orders-api`, as API Gateway hands it over: it reads DynamoDB and one parameter. */
export function slackCommand(text = 'status orders-api') {
  const body = new URLSearchParams({
    command: '/canary',
    text,
    user_id: 'U0BENCH001',
    channel_id: 'C0RELEASES',
    trigger_id: `${Date.now()}.bench.${Math.random()}`,
    response_url: 'https://hooks.slack.com/commands/T0/1/x',
  }).toString();
  return {
    version: '2.0',
    routeKey: 'POST /slack/events',
    rawPath: '/slack/events',
    headers: signedHeaders(SLACK_SECRET, body),
    body,
    isBase64Encoded: false,
  };
}

/** What the Slack function reads from Parameter Store, served by a loopback SSM endpoint in the cold runs. */
export const slackParameters = {
  [`${STAGE_PATH}/slack/signing-secret`]: SLACK_SECRET,
  [`${STAGE_PATH}/slack/bot-token`]: 'xoxb-bench',
  [`${STAGE_PATH}/services/orders-api`]: JSON.stringify(configInput()),
  [`${STAGE_PATH}/versions/orders-api`]: '1.4.1',
};

/** The Slack function's warm handling time: one container, signed commands one after another. */
export async function slackWarm(file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const { handler } = (await import(pathToFileURL(file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode?: number }>;
    };
    const times: Record<string, number[]> = {
      'status orders-api': [],
      help: [],
      list: [],
    };
    for (let i = 0; i < WARM_REQUESTS; i++) {
      for (const [text, list] of Object.entries(times)) {
        const started = process.hrtime.bigint();
        const response = await handler(slackCommand(text), lambdaContext('slack'));
        list.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (response.statusCode !== 200) throw new Error(`slack answered ${response.statusCode}`);
      }
    }
    console.log(`\nslack, warm (same container, after the first request; ${WARM_REQUESTS} requests each):\n`);
    table(
      ['command', 'median', 'p95'],
      Object.entries(times).map(([text, list]) => {
        const times = list.slice(1);
        return [
          `/canary ${text}`,
          `${median(times).toFixed(1)} ms`,
          `${percentile(times, 0.95).toFixed(1)} ms`,
        ];
      }),
    );
  } finally {
    process.env = saved;
  }
}

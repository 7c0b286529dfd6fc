// First, so that every schema the function loads is built without code generation.
import './zod-jitless';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { slackRuntime } from './compose-slack';
import { logger } from './log';
import { lambdaSlackApp, type SlackSecrets } from './slack/bolt-app';
import type { SlackDeps } from './slack/command-answers';
import { checkSlackSignature } from './slack/request-signature';

export interface SlackRuntime {
  readonly deps: SlackDeps;
  readonly secrets: SlackSecrets;
  /** The Web API's base URL: Slack's own unless the sandbox or a test points it at a stand-in. */
  readonly slackApiUrl?: string;
}

type Result = APIGatewayProxyStructuredResultV2;
const FORM = 'application/x-www-form-urlencoded';
const SORRY = JSON.stringify({
  response_type: 'ephemeral',
  text: 'The agent could not handle this request. Nothing was changed; try again in a minute.',
});

/**
 * `POST /slack/events`: slash commands and button clicks. Checks the signature and refuses timestamps more than
 * five minutes away in either direction, then lets Bolt route the request; every fault ends as a plain answer,
 * never a stack trace or a 500.
 */
export function slackHandler(
  source: () => Promise<SlackRuntime>,
  nowSeconds = () => Math.floor(Date.now() / 1000),
) {
  let app: { secrets: SlackSecrets; handle: ReturnType<typeof lambdaSlackApp> } | undefined;
  return middy<APIGatewayProxyEventV2, Result>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: async (request) => {
        request.response = answerFault(request.error);
      },
    })
    .handler(async (event, context) => {
      // A request without headers cannot be signed: refused like any unsigned one, not failed on.
      const headers = event.headers ?? {};
      const runtime = await source();
      const verdict = checkSlackSignature({
        signingSecret: runtime.secrets.signingSecret,
        body: rawBody(event),
        timestamp: headers['x-slack-request-timestamp'],
        signature: headers['x-slack-signature'],
        nowSeconds: nowSeconds(),
      });
      if (verdict !== 'valid') {
        logger.warn('slack request refused', { verdict });
        return { statusCode: 401, body: '' };
      }
      if (!isFormPost(headers['content-type'])) {
        logger.warn('slack request refused', { verdict: 'not-form-encoded' });
        return { statusCode: 415, body: '' };
      }
      const retryNum = headers['x-slack-retry-num'];
      if (retryNum) logger.info('slack retry', { retryNum, reason: headers['x-slack-retry-reason'] });
      if (app?.secrets !== runtime.secrets) {
        const clientOptions = runtime.slackApiUrl ? { slackApiUrl: runtime.slackApiUrl } : undefined;
        app = {
          secrets: runtime.secrets,
          handle: lambdaSlackApp(runtime.deps, runtime.secrets, clientOptions),
        };
      }
      // Bolt reads a form body only under exactly this type, so a `; charset=…` suffix is dropped for it.
      const formEvent = { ...event, headers: { ...headers, 'content-type': FORM } };
      return (await app.handle(formEvent, context)) as Result;
    });
}

/**
 * Slack posts slash commands and interactivity (a `payload` field) form-encoded. JSON would only come with Events
 * API callbacks, which this app does not subscribe to (slack-app-manifest.yml); Bolt would read a JSON body shaped
 * like a command as one, so anything but a form post is refused.
 */
function isFormPost(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === FORM;
}

function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function answerFault(error: Error | null): Result {
  logger.error('slack request failed', { code: error?.name ?? 'UNKNOWN', reason: error?.message ?? '' });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: SORRY };
}

export const handler = slackHandler(slackRuntime);

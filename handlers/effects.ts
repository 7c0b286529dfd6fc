import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type AgentSource, agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { effectsEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/**
 * Runs a release's outbox that the Slack function handed on (a direct asynchronous invocation, never an event on a
 * bus), so a Slack request never waits for AWS or hosts.
 */
export function effectsHandler(source: AgentSource) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (event: unknown, _context) => {
      const { releaseId } = parseEvent(effectsEvent, event);
      logger.appendKeys({ releaseId });
      const { ran } = await (await source()).service.runPending(releaseId);
      logger.info('outbox run', { effects: ran });
      return { ran };
    });
}

export const handler = effectsHandler(agent);

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type AgentSource, agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { timerEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/** One of the agent's own timers fired (EventBridge Scheduler -> agent bus). A stale timer changes nothing. */
export function timerHandler(source: AgentSource) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (event: unknown, _context) => {
      const { detail } = parseEvent(timerEvent, event);
      logger.appendKeys({ releaseId: detail.releaseId, timerId: detail.timerId });
      const result = await (await source()).service.apply(
        detail.releaseId,
        { kind: 'timerElapsed', timerId: detail.timerId },
        // Scheduler may deliver a timer more than once, each time with a new event id: dedupe on the timer.
        `timer:${detail.timerId}`,
      );
      logger.info('timer applied', { changed: result.ok && result.changed, state: result.release.state });
      return { changed: result.ok && result.changed };
    });
}

export const handler = timerHandler(agent);

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type AgentSource, agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { timerEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/**
 * One of the agent's own timers fired: EventBridge Scheduler invokes this function directly, so no event on a bus
 * can reach it. A stale timer changes nothing.
 */
export function timerHandler(source: AgentSource) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (event: unknown, _context) => {
      const timer = parseEvent(timerEvent, event);
      logger.appendKeys({ releaseId: timer.releaseId, timerId: timer.timerId });
      const result = await (await source()).service.apply(
        timer.releaseId,
        { kind: 'timerElapsed', timerId: timer.timerId },
        // Scheduler may deliver a timer more than once, each time with a new event id: dedupe on the timer.
        `timer:${timer.timerId}`,
      );
      logger.info('timer applied', { changed: result.ok && result.changed, state: result.release.state });
      return { changed: result.ok && result.changed };
    });
}

export const handler = timerHandler(agent);

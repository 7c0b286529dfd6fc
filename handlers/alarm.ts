import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type AgentSource, agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { alarmEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/** A watched alarm changed state: every active release that watches it hears about it. */
export function alarmHandler(source: AgentSource) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (event: unknown, _context) => {
      const { id, detail } = parseEvent(alarmEvent, event);
      logger.appendKeys({ alarmName: detail.alarmName, alarmState: detail.state.value });
      const { value: state, reason, timestamp: at } = detail.state;
      const results = await (await source()).service.alarmChanged(
        { alarmName: detail.alarmName, state, reason, at },
        id,
      );
      for (const result of results) {
        logger.info('alarm applied', {
          releaseId: result.release.id,
          changed: result.ok && result.changed,
          state: result.release.state,
        });
      }
      return { releases: results.length };
    });
}

export const handler = alarmHandler(agent);

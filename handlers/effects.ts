import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { RoutingListEffects } from '../app/routing-list-effects';
import { type AgentSource, agent, logger, routingListEffects } from './compose';
import { errorPolicy } from './error-policy';
import { effectsEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/**
 * Runs what the Slack function handed on (a direct asynchronous invocation, never an event on a bus), so a Slack
 * request never waits for AWS or hosts: a release's outbox, or a change of a live routing list.
 */
export function effectsHandler(
  source: AgentSource,
  lists: () => Promise<RoutingListEffects> = routingListEffects,
) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (event: unknown, _context) => {
      const handed = parseEvent(effectsEvent, event);
      if ('listChange' in handed) {
        const { service, list, action } = handed.listChange;
        logger.appendKeys({ routingList: `${service}/${list}`, action });
        const applied = await (await lists()).apply(handed.listChange);
        if (!applied.ok) {
          logger.warn('routing list change refused', { problem: applied.problem });
          return { refused: applied.reason };
        }
        const changed = applied.update.ok && applied.update.changed;
        logger.info('routing list changed', { changed, sent: applied.sent });
        return { changed, sent: applied.sent };
      }
      logger.appendKeys({ releaseId: handed.releaseId });
      const { ran } = await (await source()).service.runPending(handed.releaseId);
      logger.info('outbox run', { effects: ran });
      return { ran };
    });
}

export const handler = effectsHandler(agent, routingListEffects);

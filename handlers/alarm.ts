import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { alarmEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/** A watched alarm changed state: every active release that watches it hears about it. */
export const handler = middy<unknown, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(errorPolicy({ unknownRelease: 'drop' }))
  .handler(async (event: unknown, _context) => {
    const { id, detail } = parseEvent(alarmEvent, event);
    const { service, store } = await agent();
    logger.appendKeys({ alarmName: detail.alarmName, alarmState: detail.state.value });
    const watching = (await store.activeReleases()).filter((r) =>
      r.policy.watchedAlarms.includes(detail.alarmName),
    );
    for (const release of watching) {
      logger.appendKeys({ releaseId: release.id, releaseService: release.service });
      const result = await service.apply(
        release.id,
        {
          kind: 'alarmChanged',
          alarmName: detail.alarmName,
          state: detail.state.value,
          reason: detail.state.reason,
          at: detail.state.timestamp,
        },
        `${id}:${release.id}`,
      );
      logger.info('alarm applied', { changed: result.ok && result.changed, state: result.release.state });
    }
    return { releases: watching.length };
  });

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { pipelineEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/** CI pipeline events: start a release, or report the canary stack the pipeline built (README, "Pipeline events"). */
export const handler = middy<unknown, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(errorPolicy({ unknownRelease: 'drop' }))
  .handler(async (event: unknown, _context) => {
    const parsed = parseEvent(pipelineEvent, event);
    const { service: name, version, pipeline } = parsed.detail;
    const actor = { kind: 'pipeline', id: pipeline } as const;
    const { service, store } = await agent();
    logger.appendKeys({ releaseService: name, version, pipeline, kind: parsed['detail-type'] });
    if (parsed['detail-type'] === 'Release Requested') {
      const { percent, windowSeconds } = parsed.detail;
      const started = await service.start({
        service: name,
        toVersion: version,
        requestedBy: actor,
        percent,
        windowSeconds,
        requestId: parsed.id,
      });
      if (!started.ok) logger.warn('release refused', { reason: started.reason, message: started.message });
      return started.ok ? { releaseId: started.release.id } : { refused: started.reason };
    }
    const releaseId = await store.activeReleaseId(name);
    const release = releaseId ? await store.load(releaseId) : null;
    // A report about another version's stack is stale (an aborted release, a re-run pipeline): ignore it.
    if (!release || release.toVersion !== version) return { ignored: 'no active release of this version' };
    const reported =
      parsed['detail-type'] === 'Canary Stack Ready'
        ? ({ kind: 'canaryStackReady', actor } as const)
        : ({ kind: 'canaryStackFailed', actor, reason: parsed.detail.reason } as const);
    const result = await service.apply(release.id, reported, parsed.id);
    return { releaseId: release.id, changed: result.ok && result.changed };
  });

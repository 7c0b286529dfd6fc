import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type AgentSource, agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { pipelineEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/** CI pipeline events: start a release, or report the canary stack the pipeline built (README, "Pipeline events"). */
export function pipelineHandler(source: AgentSource) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (event: unknown, _context) => {
      const { id, detail, 'detail-type': kind } = parseEvent(pipelineEvent, event);
      const { service: name, version, pipeline } = detail;
      const actor = { kind: 'pipeline', id: pipeline } as const;
      const { service } = await source();
      logger.appendKeys({ releaseService: name, version, pipeline, kind });
      if (kind === 'Release Requested') {
        const { percent, windowSeconds, steps, strategy } = detail;
        const started = await service.start({
          service: name,
          toVersion: version,
          requestedBy: actor,
          ...(steps ? { strategy: { kind: 'steps', steps } } : {}),
          ...(strategy === 'mirror-then-steps'
            ? { strategy: { kind: 'steps', mirrorFirst: true, ...(steps ? { steps } : {}) } }
            : {}),
          ...(strategy === 'blue-green' ? { strategy: { kind: 'blueGreen' } } : {}),
          percent,
          windowSeconds,
          requestId: id,
        });
        if (started.ok) return { releaseId: started.release.id };
        // Busy: it starts when the running release ends, as the release it reserved.
        if (started.reason === 'queued')
          return { queued: started.queued.releaseId, message: started.message };
        // `detail`, not `message`: the logger drops a `message` key, which hid why a pipeline was refused.
        logger.warn('release refused', { reason: started.reason, detail: started.message });
        // The message names who froze the service (when and why), or which pipelines may start it.
        return { refused: started.reason, message: started.message };
      }
      const failure = kind === 'Canary Stack Failed' ? detail.reason : undefined;
      const result = await service.canaryStackReported({ service: name, version, actor, failure }, id);
      if (!result) return { ignored: 'no active release of this version' };
      return { releaseId: result.release.id, changed: result.ok && result.changed };
    });
}

export const handler = pipelineHandler(agent);

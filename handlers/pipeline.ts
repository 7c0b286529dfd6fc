import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type AgentSource, agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { pipelineEvent } from './event-schemas';
import { parseEvent } from './parse-event';
import { startRequested } from './pipeline-start';

/**
 * CI pipeline events: start a release (one service, or a group), or report the canary stack the pipeline built
 * (README, "Pipeline events").
 */
export function pipelineHandler(source: AgentSource) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (event: unknown, _context) => {
      const parsed = parseEvent(pipelineEvent, event);
      const { service } = await source();
      logger.appendKeys({ pipeline: parsed.detail.pipeline, kind: parsed['detail-type'] });
      if (parsed['detail-type'] === 'Release Requested') {
        return startRequested(service, parsed.id, parsed.detail);
      }
      const { id, detail, 'detail-type': kind } = parsed;
      const { service: name, version, pipeline } = detail;
      logger.appendKeys({ releaseService: name, version });
      const actor = { kind: 'pipeline', id: pipeline } as const;
      const failure = kind === 'Canary Stack Failed' ? detail.reason : undefined;
      const result = await service.canaryStackReported({ service: name, version, actor, failure }, id);
      if (!result) return { ignored: 'no active release of this version' };
      return { releaseId: result.release.id, changed: result.ok && result.changed };
    });
}

export const handler = pipelineHandler(agent);

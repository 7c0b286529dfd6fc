import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { CanaryStacks } from '../domain/ports';
import { type AgentSource, agent, canaryStacks, logger } from './compose';
import { loadConfig } from './config';
import { errorPolicy } from './error-policy';
import { stackStatusEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/**
 * CloudFormation says one of the agent's canary stacks changed status. The event only prompts a read: where the
 * stack stands, its outputs and its failure are taken from CloudFormation itself, so an event that comes late, twice,
 * out of order, or from anyone else moves nothing the stack does not bear out.
 */
export function canaryStackHandler(source: AgentSource, stacks: CanaryStacks, stackPrefix: () => string) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (event: unknown, _context) => {
      const { id, detail } = parseEvent(stackStatusEvent, event);
      const stackId = detail['stack-id'];
      const fullName = stackId.split('/')[1] ?? '';
      const prefix = stackPrefix();
      if (!fullName.startsWith(prefix)) return { ignored: 'not one of the agent’s stacks' };
      const stackName = fullName.slice(prefix.length);
      logger.appendKeys({ stackName, stackStatus: detail['status-details'].status });
      const report = await stacks.describe(stackName, stackId);
      if (report === null) return { ignored: 'no such stack' };
      const result = await (await source()).service.canaryStackChanged(
        stackName,
        report,
        `${id}:${report.status}`,
      );
      if (result === null)
        return { ignored: report.status === 'inProgress' ? 'still in progress' : 'no release' };
      return {
        releaseId: result.release.id,
        changed: result.ok && result.changed,
        state: result.release.state,
      };
    });
}

export const handler = canaryStackHandler(agent, canaryStacks, () => loadConfig().CANARY_STACK_PREFIX);

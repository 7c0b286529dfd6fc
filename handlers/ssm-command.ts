import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { APPLY_LISTS_DOCUMENT } from '../adapters/ssm-routing-list-hosts';
import { commandOutcome } from '../adapters/ssm-status';
import type { ReleaseEvent } from '../domain/types';
import { type AgentSource, agent, logger } from './compose';
import { errorPolicy } from './error-policy';
import { ssmCommandEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/**
 * A Run Command result for one host or for the whole command. An unknown command id is retried: the event can
 * overtake the write that records which release sent the command.
 */
export function ssmCommandHandler(source: AgentSource) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'retry' }))
    .handler(async (event: unknown, _context) => {
      const { id, detail, 'detail-type': type } = parseEvent(ssmCommandEvent, event);
      const commandId = detail['command-id'];
      const status = commandOutcome(detail.status);
      logger.appendKeys({ commandId, document: detail['document-name'], status: detail.status });
      if (status === null) return { ignored: 'still running' };
      // A live change of the routing lists (adapters/ssm-routing-list-hosts.ts): no release waits for it, so its
      // result is only logged, a failed host as a warning (it keeps its previous lists until the next change).
      if (detail['document-name'].endsWith(`-${APPLY_LISTS_DOCUMENT}`)) {
        const log = status === 'success' ? logger.info : logger.warn;
        log.call(logger, 'routing lists applied', {
          host: detail['instance-id'] ?? 'all',
          status: detail.status,
        });
        return { ignored: 'routing lists' };
      }
      const hostId = detail['instance-id'];
      const finished: ReleaseEvent =
        type === 'EC2 Command Invocation Status-change Notification' && hostId
          ? { kind: 'hostCommandFinished', commandId, hostId, status }
          : { kind: 'commandFinished', commandId, status };
      const result = await (await source()).service.applyToCommand(commandId, finished, id);
      logger.info('command result applied', {
        releaseId: result.release.id,
        changed: result.ok && result.changed,
        state: result.release.state,
      });
      return { releaseId: result.release.id };
    });
}

export const handler = ssmCommandHandler(agent);

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { type AgentSource, agent, commandRecovery, logger } from './compose';
import { errorPolicy } from './error-policy';

/** Where the sweeper finds SSM results whose events were lost (none in the sandbox, whose events are never lost). */
export type CommandRecoverySource = () => Promise<{
  recover(): Promise<{ checked: number; recovered: number }>;
}>;

/**
 * Every minute: recover SSM results whose events were lost, rerun effects left in the outbox, give steps past
 * their deadline a `deadlineExceeded` event, and start queued starts whose start was lost. Everything goes through
 * the engine, never around it.
 */
export function sweeperHandler(source: AgentSource, recovery: CommandRecoverySource) {
  return middy<unknown, unknown>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorPolicy({ unknownRelease: 'drop' }))
    .handler(async (_event: unknown, _context) => {
      const commands = await (await recovery()).recover();
      const swept = await (await source()).service.sweep();
      if (commands.recovered + swept.effectsRerun + swept.deadlines + swept.queuedStarted > 0)
        logger.info('swept', { ...commands, ...swept });
      return { ...commands, ...swept };
    });
}

export const handler = sweeperHandler(agent, commandRecovery);

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { agent, commandRecovery, logger } from './compose';
import { errorPolicy } from './error-policy';

/**
 * Every minute: recover SSM results whose events were lost, rerun effects left in the outbox, and give steps
 * past their deadline a `deadlineExceeded` event. Everything goes through the engine, never around it.
 */
export const handler = middy<unknown, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(errorPolicy({ unknownRelease: 'drop' }))
  .handler(async (_event: unknown, _context) => {
    const commands = await (await commandRecovery()).recover();
    const swept = await (await agent()).service.sweep();
    if (commands.recovered + swept.effectsRerun + swept.deadlines > 0)
      logger.info('swept', { ...commands, ...swept });
    return { ...commands, ...swept };
  });

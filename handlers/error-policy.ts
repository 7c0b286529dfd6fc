import type middy from '@middy/core';
import { CodedError, UnknownReleaseError } from '../domain/errors';
import { logger } from './log';
import { BadEventError } from './parse-event';

export type Verdict = 'drop' | 'retry';

/**
 * The one mapping from a handler's error to what happens to the event:
 * - bad input (an event that can never succeed): log and drop;
 * - an unknown release: retry when it may be a race (an SSM result before the write that records its command
 *   id), drop otherwise;
 * - version conflicts, throttling that outlasted the SDK's own adaptive backoff, and any other fault: throw, so
 *   Lambda retries the asynchronous invocation with backoff and finally sends it to the dead-letter queue.
 *
 * @example
 * classifyError(new BadEventError('…'), { unknownRelease: 'drop' }) // 'drop'
 */
export function classifyError(error: unknown, options: { unknownRelease: Verdict }): Verdict {
  if (error instanceof BadEventError) return 'drop';
  if (error instanceof UnknownReleaseError) return options.unknownRelease;
  return 'retry';
}

// `detail`, not `message`: Powertools' logger drops a `message` key, so why an event was dropped never showed.
function describe(error: unknown) {
  if (error instanceof CodedError || error instanceof BadEventError) {
    return { code: error.code, detail: error.message };
  }
  const aws = error as { name?: string; $retryable?: { throttling?: boolean } };
  return { code: aws.$retryable?.throttling ? 'THROTTLED' : (aws.name ?? 'UNKNOWN'), detail: String(error) };
}

/** Middy middleware applying `classifyError`: dropped events end the invocation successfully. */
export function errorPolicy(options: { unknownRelease: Verdict }): middy.MiddlewareObj {
  return {
    onError: async (request) => {
      const verdict = classifyError(request.error, options);
      if (verdict === 'drop') {
        logger.warn('event dropped', describe(request.error));
        request.response = { dropped: true };
        return;
      }
      logger.error('event failed; it will be retried', describe(request.error));
    },
  };
}

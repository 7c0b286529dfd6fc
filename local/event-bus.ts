import { matchesPattern } from '../adapters/eventbridge-pattern';
import type { EventRule } from './serverless-yml';

/**
 * A Lambda handler as the sandbox invokes it: the event and a context, like an asynchronous invocation. (Typed
 * loosely because middy's handler type also declares its internal options argument.)
 */
// biome-ignore lint/suspicious/noExplicitAny: any middy or plain handler; the bus passes only event and context.
export type LocalHandler = (event: any, context: any, ...internal: any[]) => Promise<unknown>;

export interface DeliveryFailure {
  readonly functionName: string;
  readonly event: unknown;
  readonly error: unknown;
}

/**
 * The sandbox's EventBridge and Lambda: routes each event to the functions whose rule patterns (read from
 * serverless.yml, never written twice) match it, and takes direct invocations (Scheduler's, the Slack function's
 * hand-off), both as asynchronous invocations: retried twice on error, like Lambda's default, and then set aside
 * as a dead letter.
 */
export function localEventBus(options: {
  readonly rules: readonly EventRule[];
  readonly handlers: Readonly<Record<string, LocalHandler>>;
  readonly retryDelayMs?: number;
  readonly onDeadLetter?: (failure: DeliveryFailure) => void;
}) {
  for (const rule of options.rules) {
    if (!options.handlers[rule.functionName]) {
      throw new Error(`serverless.yml routes events to ${rule.functionName}, which the sandbox does not run`);
    }
  }
  const inFlight = new Set<Promise<void>>();
  let invocations = 0;

  async function invoke(functionName: string, handler: LocalHandler, event: unknown): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      invocations++;
      try {
        const context = {
          functionName,
          awsRequestId: `local-${invocations}`,
          getRemainingTimeInMillis: () => 30_000,
        };
        await handler(event, context);
        return;
      } catch (error) {
        if (attempt === 3) {
          options.onDeadLetter?.({ functionName, event, error });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 200) * attempt));
      }
    }
  }

  function deliver(functionName: string, event: unknown): void {
    const handler = options.handlers[functionName];
    if (!handler) throw new Error(`the sandbox runs no function called ${functionName}`);
    const delivery = invoke(functionName, handler, event).finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }

  return {
    /** Puts an event on a bus; resolves once it is routed (handlers run in the background, like Lambda's). */
    publish(bus: 'default' | 'agent', event: unknown): number {
      const targets = options.rules.filter((rule) => rule.bus === bus && matchesPattern(rule.pattern, event));
      for (const rule of targets) deliver(rule.functionName, event);
      return targets.length;
    },
    /** Lambda's asynchronous `Invoke` (InvocationType `Event`): no bus, no rule, the function by name. */
    invokeAsync(functionName: string, event: unknown): void {
      deliver(functionName, event);
    },
    /** Resolves when every delivery so far (and those they cause) has finished. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    invocations: () => invocations,
  };
}

export type LocalEventBus = ReturnType<typeof localEventBus>;

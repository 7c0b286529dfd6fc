import { timerElapsed } from '../adapters/internal-events';
import type { Timers } from '../domain/ports';
import type { SkippingClock } from './skipping-clock';

/**
 * The sandbox's EventBridge Scheduler: one-time timers that invoke the `timer` function directly with the payload
 * the deployed schedules send. `speedUp` shortens every wait (a 15-minute window in 45 s at 20x) so a demo is quick;
 * a timer moves the sandbox's clock to its due time before it fires, as no timer fires early on AWS.
 */
export function localTimers(
  invoke: (event: unknown) => void,
  speedUp: number,
  clock: SkippingClock,
): Timers & { stop(): void } {
  const pending = new Map<string, NodeJS.Timeout>();
  return {
    async set(releaseId, timerId, at) {
      if (pending.has(timerId)) return;
      const dueMs = Date.parse(at);
      const waitMs = Math.max(0, dueMs - clock.nowMs()) / speedUp;
      const handle = setTimeout(() => {
        pending.delete(timerId);
        clock.skipTo(dueMs);
        invoke(timerElapsed(releaseId, timerId));
      }, waitMs);
      pending.set(timerId, handle);
    },
    async cancel(timerId) {
      clearTimeout(pending.get(timerId));
      pending.delete(timerId);
    },
    stop() {
      for (const handle of pending.values()) clearTimeout(handle);
      pending.clear();
    },
  };
}

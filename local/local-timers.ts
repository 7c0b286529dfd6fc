import { timerElapsed } from '../adapters/internal-events';
import type { Timers } from '../domain/ports';

/**
 * The sandbox's EventBridge Scheduler: one-time timers that invoke the `timer` function directly with the payload
 * the deployed schedules send. `speedUp` shortens every wait (a 15-minute window in 45 s at 20x) so a demo is quick.
 */
export function localTimers(invoke: (event: unknown) => void, speedUp: number): Timers & { stop(): void } {
  const pending = new Map<string, NodeJS.Timeout>();
  return {
    async set(releaseId, timerId, at) {
      if (pending.has(timerId)) return;
      const waitMs = Math.max(0, Date.parse(at) - Date.now()) / speedUp;
      const handle = setTimeout(() => {
        pending.delete(timerId);
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

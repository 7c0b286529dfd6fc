import type { Clock } from '../domain/ports';

/**
 * The sandbox's clock: real time plus the time its sped-up timers skipped. A timer that fires early in real time
 * (a 15-minute window in 45 s at 20x) first moves this clock to its due time, so the engine, which ignores a timer
 * before its window is over, sees the whole window pass. The clock never goes back.
 */
export interface SkippingClock extends Clock {
  nowMs(): number;
  /** Moves the clock forward to `atMs` if it is behind it. */
  skipTo(atMs: number): void;
}

export function skippingClock(): SkippingClock {
  let skippedMs = 0;
  const nowMs = () => Date.now() + skippedMs;
  return {
    nowMs,
    now: () => new Date(nowMs()).toISOString(),
    skipTo(atMs) {
      skippedMs = Math.max(skippedMs, atMs - Date.now());
    },
  };
}

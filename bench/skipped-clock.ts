/**
 * The bench drives the real Lambda handlers, whose clock is `new Date()`. The engine ignores a window's timer
 * before the window ends, as Scheduler never fires one early; rather than wait out a 15-minute window, the bench
 * moves this process's `Date` forward to the window's end, as vitest's fake timers do for the handler tests.
 */
const RealDate = Date;
let offsetMs = 0;

class SkippedDate extends RealDate {
  constructor(...args: ConstructorParameters<DateConstructor> | []) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...(args as ConstructorParameters<DateConstructor>));
  }

  static override now(): number {
    return RealDate.now() + offsetMs;
  }
}

/** From now on `new Date()` and `Date.now()` read at least `at`; the clock never goes back. */
export function skipClockTo(at: string): void {
  offsetMs = Math.max(offsetMs, Date.parse(at) - RealDate.now());
  globalThis.Date = SkippedDate as DateConstructor;
}

/**
 * The scale simulation's world: a queue of what happens when (a host's result, a timer, a click, an alarm), run on a
 * simulated clock that jumps from one busy second to the next, and the calls counted per simulated second.
 *
 * The handlers read `new Date()`, so the clock is this process's `Date` moved forward (bench/skipped-clock.ts):
 * idle minutes cost nothing, and a busy second takes as long as the handlers take, as it would on Lambda.
 */
import { skipClockTo } from './skipped-clock';

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly run: () => Promise<void>;
}

/** Calls (or units) per API, per simulated second since the start. */
export class Counter {
  readonly perSecond = new Map<string, Map<number, number>>();

  constructor(private readonly startMs: () => number) {}

  add(api: string, amount = 1, at = Date.now()): void {
    const second = Math.floor((at - this.startMs()) / 1000);
    const series = this.perSecond.get(api) ?? new Map<number, number>();
    series.set(second, (series.get(second) ?? 0) + amount);
    this.perSecond.set(api, series);
  }

  total(api: string): number {
    return [...(this.perSecond.get(api)?.values() ?? [])].reduce((a, b) => a + b, 0);
  }

  /** The busiest window of `seconds` consecutive seconds. */
  peak(api: string, seconds: number): number {
    const series = this.perSecond.get(api);
    if (!series || series.size === 0) return 0;
    let best = 0;
    for (const start of series.keys()) {
      let sum = 0;
      for (let s = start; s < start + seconds; s++) sum += series.get(s) ?? 0;
      best = Math.max(best, sum);
    }
    return best;
  }
}

export class World {
  private queue: Scheduled[] = [];
  private seq = 0;
  readonly startMs: number;
  readonly counter: Counter;
  /** Handler invocations that threw, by handler: each is delivered again, as Lambda retries. */
  readonly failures = new Map<string, number>();
  readonly errors: string[] = [];

  constructor(start: string) {
    this.startMs = Date.parse(start);
    skipClockTo(start);
    this.counter = new Counter(() => this.startMs);
  }

  /** Simulated milliseconds since the start. */
  elapsed(): number {
    return Date.now() - this.startMs;
  }

  /** Runs `run` at simulated time `at` (ms since the epoch); never before now. */
  at(at: number, run: () => Promise<void>): void {
    const item = { at, seq: this.seq++, run };
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.queue[mid] as Scheduled;
      if (other.at < at || (other.at === at && other.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, item);
  }

  after(ms: number, run: () => Promise<void>): void {
    this.at(Date.now() + ms, run);
  }

  /**
   * Runs everything due, a simulated second at a time: what falls in the same second runs concurrently, as
   * concurrent Lambda invocations do. Stops at `endMs` (since the start) or when nothing is left.
   */
  async run(endMs: number, onSecond: (second: number) => void): Promise<void> {
    while (this.queue.length > 0) {
      const first = this.queue[0] as Scheduled;
      if (first.at - this.startMs > endMs) break;
      if (first.at > Date.now()) skipClockTo(new Date(first.at).toISOString());
      const until = Math.max(first.at, Date.now()) + 1000;
      const due: Scheduled[] = [];
      while (this.queue.length > 0 && (this.queue[0] as Scheduled).at < until)
        due.push(this.queue.shift() as Scheduled);
      await Promise.all(due.map((item) => item.run()));
      onSecond(Math.floor(this.elapsed() / 1000));
    }
  }

  /** A handler invocation; one that throws is delivered again after `retryMs`, up to `attempts` times. */
  deliver(name: string, call: () => Promise<unknown>, attempts = 4, retryMs = 5000): () => Promise<void> {
    return async () => {
      this.counter.add(`lambda:${name}`);
      try {
        await call();
      } catch (error) {
        this.failures.set(name, (this.failures.get(name) ?? 0) + 1);
        if (attempts > 1) this.after(retryMs, this.deliver(name, call, attempts - 1, retryMs * 2));
        else this.errors.push(`${name}: ${(error as Error).message ?? String(error)}`);
      }
    };
  }
}

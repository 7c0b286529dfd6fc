/**
 * Quick mode (`npm run bench -- --quick`, or `BENCH_QUICK=1`): every block runs once with small counts, to prove the
 * bench still works (test/bench/bench-quick.test.ts runs it), not to publish its figures.
 */
export const quick = process.env.BENCH_QUICK === '1';

/** `full` when measuring, `short` in quick mode. */
export function count(full: number, short: number): number {
  return quick ? short : full;
}

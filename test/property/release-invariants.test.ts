import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RELEASE_STATES } from '../../domain/types';
import { type Action, action, configs } from './release-invariants-model';
import { check, statesReached } from './release-invariants-world';

describe('release invariants under random event sequences', () => {
  it('hold after every step, with duplicates, reordering and concurrent deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .record({ config: configs, actions: fc.array(action, { minLength: 1, maxLength: 40 }) })
          .map((seed) => ({
            ...seed,
            actions: [{ kind: 'start' } as Action, ...seed.actions],
          })),
        check,
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 10_000) },
    );
    // The model must explore every state, or the invariants above were checked on too little.
    const everyState = RELEASE_STATES;
    const runs = Number(process.env.PROPERTY_RUNS ?? 10_000);
    for (const state of everyState) expect(statesReached.get(state) ?? 0, state).toBeGreaterThan(runs / 500);
    console.info(Object.fromEntries(statesReached));
  }, 300_000);
});

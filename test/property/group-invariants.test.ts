import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGroup, groupAction, groupConfigs, groupStatesReached } from './group-invariants-world';

describe('group release invariants under random event sequences', () => {
  it('hold for groups of 2 to 4 members, with failures at every member and step', async () => {
    const runs = Number(process.env.PROPERTY_RUNS ?? 1_000);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ config: groupConfigs, actions: fc.array(groupAction, { minLength: 1, maxLength: 40 }) }),
        checkGroup,
      ),
      { numRuns: runs },
    );
    // Both ends must be common, or the end-state invariants were checked on too little.
    for (const state of ['succeeded', 'rolledBack'])
      expect(groupStatesReached.get(state) ?? 0, state).toBeGreaterThan(runs / 20);
    console.info(Object.fromEntries(groupStatesReached));
  }, 300_000);
});

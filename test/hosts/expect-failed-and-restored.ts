import { expect } from 'vitest';
import type { RunOutcome } from '../../hosts/run-document';

/** A document run that failed with `message` and put the host back as it found it (its summary says so). */
export function expectFailedAndRestored(outcome: RunOutcome, message: RegExp): void {
  if (!outcome.ok) throw new Error(`refused: ${outcome.refused.join(', ')}`);
  expect(outcome.exitCode).toBe(1);
  expect(outcome.summary).toMatchObject({ ok: false, restored: true });
  expect(String(outcome.summary?.message)).toMatch(message);
}

import { describe, expect, it } from 'vitest';
import { historyEntrySchema, pendingEffectSchema } from '../../adapters/release-schema';
import type { Notice } from '../../domain/notice';
import { T0 } from '../support/releases';

const entry = {
  seq: 3,
  at: T0,
  actor: { kind: 'person', id: 'U0ANA' },
  cause: 'approved',
  from: 'awaitingApproval',
  to: 'stoppingMirror',
};

describe('stored notices', () => {
  it('reads a history entry written before notices were data as a legacy notice', () => {
    const parsed = historyEntrySchema.parse({ ...entry, note: 'Approved by <@U0ANA>.' });

    expect(parsed.note).toEqual({ kind: 'legacy', text: 'Approved by <@U0ANA>.' });
  });

  it('reads a structured note back as it was written', () => {
    const note: Notice = { kind: 'rejected', by: 'U0ANA', comment: '<!channel>' };

    expect(historyEntrySchema.parse({ ...entry, note }).note).toEqual(note);
  });

  it('reads a queued notify effect of the old shape, keeping its detail', () => {
    const parsed = pendingEffectSchema.parse({
      id: 'e-1',
      releaseId: 'orders-api-r1',
      createdAt: T0,
      effect: { kind: 'notify', headline: 'promote on i-1: failed', severity: 'critical', detail: 'out' },
    });

    expect(parsed.effect).toEqual({
      kind: 'notify',
      notice: { kind: 'legacy', text: 'promote on i-1: failed', detail: 'out' },
      severity: 'critical',
    });
  });

  it('refuses a note of an unknown kind', () => {
    expect(historyEntrySchema.safeParse({ ...entry, note: { kind: 'nonsense' } }).success).toBe(false);
  });
});

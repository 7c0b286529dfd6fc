/**
 * Releases saved before December 2026 stored a run without its step: which step ran was read off the cursor,
 * the rollback and `cancelRequested`. A release in flight across the upgrade is read the old way, once, and
 * saved in the new shape with its next change.
 */
export function upgradeLegacyRun(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  const item = stored as Record<string, unknown> & { run?: Record<string, unknown> };
  const old = item.run;
  if (old === undefined || old === null || 'kind' in old) return stored;
  const rollback = item.rollback as { steps?: unknown[]; cursor?: number } | undefined;
  const fromRollback = rollback !== undefined && old.cancelRequested !== true;
  const stepOf = fromRollback
    ? rollback.steps?.[rollback.cursor ?? -1]
    : (item.plan as unknown[] | undefined)?.[item.cursor as number];
  const step = stepOf as { kind?: string; windowSeconds?: number } | undefined;
  if (step?.kind === undefined) return stored;
  const { operation: _operation, listenerSwitch: _switch, ...rest } = old;
  const upgraded: Record<string, unknown> = {
    ...rest,
    kind: step.kind,
    step,
    origin: fromRollback ? 'rollback' : 'plan',
  };
  if (step.kind === 'validate' && typeof old.startedAt === 'string')
    upgraded.windowEndsAt = new Date(
      Date.parse(old.startedAt) + (step.windowSeconds ?? 0) * 1000,
    ).toISOString();
  if (step.kind !== 'hostOperation') delete upgraded.hosts;
  return { ...item, run: upgraded };
}

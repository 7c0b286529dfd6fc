import { describe, expect, it } from 'vitest';
import { releaseSchema } from '../../adapters/release-schema';
import { transition } from '../../domain/release-machine';
import type { Release, ReleaseEvent } from '../../domain/types';
import { newRelease, T0 } from '../support/releases';

/** The release after `events`, each of which must be accepted. */
function applyAll(release: Release, ...events: ReleaseEvent[]): Release {
  return events.reduce((r, event) => {
    const t = transition(r, event, T0);
    if (!t.ok) throw new Error(t.message);
    return t.release;
  }, release);
}

/** The run as releases stored it before runs carried their step (December 2026). */
function legacy(release: Release): unknown {
  const { run, policy, ...rest } = release;
  if (run === undefined) return release;
  const { kind, step, origin, ...common } = run as Release['run'] & Record<string, unknown>;
  const old: Record<string, unknown> = { ...common, hosts: 'hosts' in common ? common.hosts : {} };
  if (kind === 'hostOperation' && step.kind === 'hostOperation') old.operation = step.operation;
  if (kind === 'switchListener' && step.kind === 'switchListener') old.listenerSwitch = step.direction;
  delete old.windowEndsAt;
  const { onNoData: _added, ...oldPolicy } = policy;
  return { ...rest, policy: oldPolicy, run: old };
}

describe('stored releases written before runs carried their step', () => {
  it('read a host operation run as the same run, with the step it ran and where it came from', () => {
    const running = applyAll(newRelease().release, {
      kind: 'hostOperationDispatched',
      stepId: 'orders-api-r1.1',
      commandId: 'c1',
    });

    expect(releaseSchema.parse(JSON.parse(JSON.stringify(legacy(running))))).toEqual(running);
  });

  it('read a validation window with its end, and a rollback waiting for a cancelled operation as the plan’s', () => {
    const { release } = newRelease();
    const deployed = applyAll(
      release,
      { kind: 'hostOperationDispatched', stepId: 'orders-api-r1.1', commandId: 'c1' },
      { kind: 'commandFinished', commandId: 'c1', status: 'success' },
      { kind: 'hostOperationDispatched', stepId: 'orders-api-r1.2', commandId: 'c2' },
      { kind: 'commandFinished', commandId: 'c2', status: 'success' },
    );
    const waiting = applyAll(
      release,
      { kind: 'hostOperationDispatched', stepId: 'orders-api-r1.1', commandId: 'c1' },
      { kind: 'abortRequested', actor: release.requestedBy },
    );

    expect(releaseSchema.parse(legacy(deployed))).toEqual(deployed);
    expect(waiting.run).toMatchObject({ kind: 'hostOperation', origin: 'plan', cancelRequested: true });
    expect(releaseSchema.parse(legacy(waiting))).toEqual(waiting);
  });
});

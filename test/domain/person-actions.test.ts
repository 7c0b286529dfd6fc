import { describe, expect, it } from 'vitest';
import { allowedActions } from '../../domain/person-actions';
import { transition } from '../../domain/release-machine';
import type { Release, ReleaseEvent } from '../../domain/types';
import { APPROVER, REQUESTER, STRANGER, serviceConfig } from '../../local/fixture-service-config';
import { newRelease, T0 } from '../support/releases';

const person = (id: string) => ({ kind: 'person', id }) as const;

function drive(release: Release, ...events: ReleaseEvent[]): Release {
  return events.reduce((r, event) => {
    const t = transition(r, event, T0);
    if (!t.ok) throw new Error(t.message);
    return t.release;
  }, release);
}

describe('allowedActions: what the engine would accept from a person now', () => {
  it('asks the engine, so it answers per person: the requester, an approver, a stranger', () => {
    const config = serviceConfig({ approvals: { required: true, users: [APPROVER], fourEyes: true } });
    const deploying = newRelease({ config }).release;

    expect(allowedActions(deploying, person(REQUESTER))).toEqual(['rollback', 'abort']);
    expect(allowedActions(deploying, person(STRANGER))).toEqual([]);
    expect(allowedActions(deploying)).toEqual(['rollback', 'abort']);
  });

  it('offers Retry, and nothing else, once a rollback has failed', () => {
    const { release } = newRelease();
    const failed = drive(
      release,
      { kind: 'hostOperationDispatched', stepId: 'orders-api-r1.1', commandId: 'c1' },
      { kind: 'abortRequested', actor: person(REQUESTER) },
      { kind: 'commandFinished', commandId: 'c1', status: 'success' },
    );
    const rollbackCommand = failed.run?.kind === 'hostOperation' ? failed.run : undefined;
    const stopped = drive(
      failed,
      { kind: 'hostOperationDispatched', stepId: rollbackCommand?.stepId ?? '', commandId: 'c2' },
      { kind: 'commandFinished', commandId: 'c2', status: 'failed' },
    );

    expect(stopped.state).toBe('rollbackFailed');
    expect(allowedActions(stopped)).toEqual(['retry']);
    expect(allowedActions(stopped, person(STRANGER))).toEqual([]);
  });
});

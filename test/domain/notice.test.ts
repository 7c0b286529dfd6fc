import { describe, expect, it } from 'vitest';
import { describeNotice, type Notice, noticeDetail } from '../../domain/notice';
import { transition } from '../../domain/release-machine';
import { HOST_OPERATIONS, RELEASE_STATES } from '../../domain/types';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import { newRelease, T0 } from '../support/releases';

const INJECTED = '<@U0ATTACKER> <!channel> <!subteam^S123> <https://evil|click>';

describe('notices are data', () => {
  it('records a pipeline reason as a field of the notice, in the history and the notify effect alike', () => {
    const { release } = newRelease();

    const t = transition(
      release,
      { kind: 'canaryStackFailed', actor: { kind: 'pipeline', id: 'orders-ci' }, reason: INJECTED },
      T0,
    );

    if (!t.ok) throw new Error(t.message);
    const notice: Notice = { kind: 'canaryStackFailed', reason: INJECTED };
    expect(t.history[0]?.note).toEqual(notice);
    expect(t.effects).toContainEqual({ kind: 'notify', notice, severity: 'critical' });
  });

  it('names the requester by id, never as markup', () => {
    const { history } = newRelease();

    expect(history[0]?.note).toMatchObject({ kind: 'requested', by: { kind: 'person', id: REQUESTER } });
    expect(describeNotice(history[0]?.note as Notice)).toBe(
      `${REQUESTER} started orders-api 1.4.1 → 1.4.2, mirroring 10%.`,
    );
  });
});

describe('describeNotice', () => {
  it('words every notice in plain text, with no Slack markup of its own', () => {
    const notices: Notice[] = [
      { kind: 'approved', by: APPROVER },
      { kind: 'rejected', by: APPROVER, comment: 'too slow' },
      { kind: 'alarmFired', alarmName: 'orders-5xx', reason: 'Threshold Crossed' },
      { kind: 'hostResult', operation: 'promote', hostId: 'i-1', status: 'failed', leadsTo: 'rollingBack' },
      { kind: 'commandResult', operation: 'removeCanary', status: 'failed', leadsTo: 'rollbackStepFailed' },
      { kind: 'listenerSwitched', direction: 'forward', colour: 'green', version: '1.4.2' },
    ];

    expect(notices.map(describeNotice)).toEqual([
      `Approved by ${APPROVER}.`,
      `Rejected by ${APPROVER}. “too slow”`,
      'Alarm orders-5xx is ALARM. Rolling back.',
      'On i-1, promoting the new version on the stable fleet failed; rolling back.',
      'Rollback step failed: removing the canary failed.',
      'The listener now forwards to green (1.4.2).',
    ]);
  });

  it('says what a host operation did and where a release was in words, never by their internal names', () => {
    // The names that are no English word: `removeCanary`, `awaitingApproval` (`promote` and `verifying` are).
    const camel = [...HOST_OPERATIONS, ...RELEASE_STATES].filter((name) => /[A-Z]/.test(name));
    const internal = new RegExp(`\\b(${camel.join('|')})\\b`);
    const texts = [
      ...HOST_OPERATIONS.flatMap((operation) =>
        (
          [
            { kind: 'commandSent', operation, commandId: 'c-1' },
            { kind: 'commandResult', operation, status: 'success', leadsTo: 'none' },
            { kind: 'commandResult', operation, status: 'timedOut', leadsTo: 'rollingBack' },
            { kind: 'hostResult', operation, hostId: 'i-1', status: 'failed', leadsTo: 'none' },
            { kind: 'failedHostsTolerated', operation, hostIds: ['i-1'], maxErrors: '1' },
          ] as const
        ).map((notice) => describeNotice(notice)),
      ),
      ...RELEASE_STATES.map((state) => describeNotice({ kind: 'deadlineExceeded', state })),
    ];

    expect(texts.filter((text) => internal.test(text) || /timedOut|maxErrors/.test(text))).toEqual([]);
    expect(
      describeNotice({
        kind: 'commandResult',
        operation: 'removeCanary',
        status: 'success',
        leadsTo: 'none',
      }),
    ).toBe('Finished removing the canary.');
    expect(describeNotice({ kind: 'deadlineExceeded', state: 'awaitingApproval' })).toBe(
      'No progress before the deadline while waiting for approval.',
    );
  });

  it('keeps outside text as written: escaping is each medium’s job', () => {
    expect(describeNotice({ kind: 'canaryStackFailed', reason: INJECTED })).toBe(
      `The canary stack failed: ${INJECTED}`,
    );
  });
});

describe('noticeDetail', () => {
  it('gives a failed host’s output under its result, and nothing for a success', () => {
    const failed: Notice = {
      kind: 'hostResult',
      operation: 'deployCanary',
      hostId: 'i-1',
      status: 'failed',
      output: 'docker: pull failed',
      leadsTo: 'rollingBack',
    };

    expect(noticeDetail(failed)).toBe('On i-1, deploying the canary failed\ndocker: pull failed');
    expect(noticeDetail({ ...failed, status: 'success', leadsTo: 'none' })).toBeUndefined();
  });
});

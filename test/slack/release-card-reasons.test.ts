import { describe, expect, it } from 'vitest';
import { slackTime } from '../../adapters/slack-presentation/mrkdwn';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import type { Release, Rollback, RollbackReason } from '../../domain/types';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import { CANARY_ALARM, fieldTexts, releaseIn } from './release-card-fixtures';

describe('rollback reasons on the card', () => {
  const reasons: [RollbackReason, string][] = [
    [
      { kind: 'alarm', alarmName: CANARY_ALARM, reason: 'Threshold Crossed' },
      `Alarm ${CANARY_ALARM} is ALARM`,
    ],
    [
      {
        kind: 'hostOperationFailed',
        operation: 'deployCanary',
        hostId: 'i-0ccccccccccccccc3',
        status: 'timedOut',
      },
      'deploying the canary timed out on i-0ccccccccccccccc3',
    ],
    [{ kind: 'aborted', by: REQUESTER }, `aborted by <@${REQUESTER}>`],
    [{ kind: 'rolledBackByPerson', by: APPROVER }, `rollback requested by <@${APPROVER}>`],
    [{ kind: 'rejected', by: APPROVER, comment: 'p99 > 2s' }, `rejected by <@${APPROVER}>`],
    [
      { kind: 'canaryStackFailed', reason: 'stack <CREATE_FAILED>' },
      'the canary stack failed: stack &lt;CREATE_FAILED&gt;',
    ],
    [
      { kind: 'deadlineExceeded', state: 'awaitingApproval' },
      'no progress before the deadline while waiting for approval',
    ],
  ];

  it.each(reasons)('says why: %j', async (reason, phrase) => {
    const { h, release: rolling } = await releaseIn('rollingBack');
    const release: Release = { ...rolling, rollback: { ...(rolling.rollback as Rollback), reason } };

    const field = fieldTexts(releaseCard(release, h.now())).find((f) =>
      f.startsWith('*Rolling back because*'),
    );

    expect(field).toContain(
      `*Rolling back because*\n${phrase} at ${slackTime(release.rollback?.startedAt ?? '')}`,
    );
    if (reason.kind === 'rejected') expect(field).toContain('\n> p99 &gt; 2s');
  });
});

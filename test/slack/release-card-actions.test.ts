import { describe, expect, it } from 'vitest';
import { slackTime } from '../../adapters/slack-presentation/mrkdwn';
import { ACTION_IDS, actionOf, releaseCard } from '../../adapters/slack-presentation/release-card';
import { transition } from '../../domain/release-machine';
import { addSeconds } from '../../domain/time';
import { staleActionExplanation } from '../../handlers/slack/stale-actions';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { CANARY_ALARM, releaseIn, requester, stateLine } from './release-card-fixtures';

describe('staleActionExplanation', () => {
  it('names the approver and the time when Promote was already pressed', async () => {
    const { h, release } = await releaseIn('promoting');
    const history = await h.store.history(release.id);
    const approvedAt = history.find((e) => e.cause === 'approved')?.at ?? '';

    expect(staleActionExplanation(release, history, 'promote')).toBe(
      `Already promoted: approved by <@${APPROVER}> at ${slackTime(approvedAt)}.`,
    );
  });

  it.each(['promote', 'rollback', 'abort', 'retry'] as const)(
    'refuses %s after the release succeeded',
    async (action) => {
      const { h, release } = await releaseIn('succeeded');
      const history = await h.store.history(release.id);

      expect(staleActionExplanation(release, history, action)).toBe(
        `This release already ended: it succeeded at ${slackTime(release.updatedAt)}, approved by <@${APPROVER}> at ${slackTime(release.approvals[0]?.at ?? '')}.`,
      );
    },
  );

  it.each(['promote', 'rollback', 'abort', 'retry'] as const)(
    'refuses %s after a rollback, saying why',
    async (action) => {
      const { h, release } = await releaseIn('rolledBack');
      const history = await h.store.history(release.id);

      expect(staleActionExplanation(release, history, action)).toBe(
        `This release already ended: rolled back at ${slackTime(release.updatedAt)}, after Alarm ${CANARY_ALARM} is ALARM.`,
      );
    },
  );

  it('says who aborted when someone presses Abort during the rollback', async () => {
    const h = harness();
    const { release: verifying } = await releaseIn('verifying', 'mirror', h);
    await h.service.apply(verifying.id, { kind: 'abortRequested', actor: requester });
    h.advance(30);
    const release = await h.load(verifying.id);

    expect(staleActionExplanation(release, await h.store.history(release.id), 'abort')).toBe(
      `Already rolling back: aborted by <@${REQUESTER}> at ${slackTime(addSeconds(h.now(), -30))}.`,
    );
  });

  it('refuses a retry unless the rollback failed', async () => {
    const verifying = await releaseIn('verifying');
    const rolling = await releaseIn('rollingBack');
    const failed = await releaseIn('rollbackFailed');

    expect(staleActionExplanation(verifying.release, [], 'retry')).toBe(
      'Nothing to retry: only a failed rollback can be retried, and this release is verifying.',
    );
    expect(staleActionExplanation(rolling.release, [], 'retry')).toMatch(
      /^The rollback is still running \(Alarm/,
    );
    expect(staleActionExplanation(failed.release, [], 'retry')).toBeNull();
    expect(staleActionExplanation(failed.release, [], 'abort')).toMatch(
      /^Already rolling back: .* The rollback failed: press Retry rollback/,
    );
  });

  it('returns null while the action applies, and explains an early Promote', async () => {
    const approving = await releaseIn('awaitingApproval');
    const verifying = await releaseIn('verifying');

    expect(staleActionExplanation(approving.release, [], 'promote')).toBeNull();
    expect(staleActionExplanation(approving.release, [], 'abort')).toBeNull();
    expect(staleActionExplanation(verifying.release, [], 'promote')).toMatch(
      /^Not waiting for approval yet: the release is verifying/,
    );
  });
});

describe('action ids and times', () => {
  it('maps action ids both ways', () => {
    for (const action of ['promote', 'rollback', 'abort', 'retry'] as const)
      expect(actionOf(ACTION_IDS[action])).toBe(action);
    expect(ACTION_IDS).toEqual({
      promote: 'canary_promote',
      rollback: 'canary_rollback',
      abort: 'canary_abort',
      retry: 'canary_retry',
    });
    expect(actionOf('someone_elses_button')).toBeNull();
  });

  it("writes Slack's local-time token with a UTC fallback, and never throws on a bad instant", () => {
    expect(slackTime('2023-11-14T22:13:20.000Z')).toBe('<!date^1700000000^{time}|22:13 UTC>');
    expect(slackTime('<b>')).toBe('&lt;b&gt;');
  });
});

describe('more stale actions', () => {
  it('names who already retried a failed rollback', async () => {
    const { h, release: failed } = await releaseIn('rollbackFailed');
    await h.service.apply(failed.id, { kind: 'rollbackRetried', actor: requester });
    const release = await h.load(failed.id);

    expect(release.state).toBe('rollingBack');
    expect(staleActionExplanation(release, await h.store.history(release.id), 'retry')).toBe(
      `Already retried by <@${REQUESTER}> at ${slackTime(h.now())}; the rollback is running again.`,
    );
  });

  it('says the window is over while the alarms are being read', async () => {
    const { h, release: verifying } = await releaseIn('verifying');
    const run = verifying.run;
    if (run?.kind !== 'validate') throw new Error('the release should be in its validation window');
    const t = transition(verifying, { kind: 'timerElapsed', timerId: run.timerId }, run.windowEndsAt);
    if (!t.ok) throw new Error(t.message);

    expect(stateLine(releaseCard(t.release, h.now()))).toContain(
      'Validation window over: reading the watched alarms.',
    );
  });
});

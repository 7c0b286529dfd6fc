import { describe, expect, it } from 'vitest';
import { slackTime } from '../../adapters/slack-presentation/mrkdwn';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import { requestRelease } from '../../domain/release-request';
import { addSeconds } from '../../domain/time';
import { staleActionExplanation } from '../../handlers/slack/stale-actions';
import { APPROVER, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import {
  allText,
  approve,
  approver,
  buttonsOf,
  CANARY_ALARM,
  FAILING_HOST,
  fieldTexts,
  releaseIn,
  requester,
  sectionTexts,
  stateLine,
  timeline,
} from './release-card-fixtures';

describe('what the card says', () => {
  it('counts down the validation window from now, ending at the deadline minus the check margin', async () => {
    const { h, release } = await releaseIn('verifying');
    const windowEnd = addSeconds(release.run?.startedAt ?? '', 900);

    const card = releaseCard(release, addSeconds(h.now(), 5 * 60 + 30));

    expect(stateLine(card)).toContain(`Validation window ends ${slackTime(windowEnd)} (about 10 min left).`);
    expect(releaseCard(release, addSeconds(windowEnd, 10)).blocks[1]).toMatchObject({
      text: { text: expect.stringContaining('Validation window ended') },
    });
  });

  it('shows every watched alarm, "not read yet" until the check at the end of the window', async () => {
    const verifying = await releaseIn('verifying');
    const approving = await releaseIn('awaitingApproval');

    const before = sectionTexts(releaseCard(verifying.release, verifying.h.now())).join('\n');
    const after = sectionTexts(releaseCard(approving.release, approving.h.now())).join('\n');

    expect(before).toContain(`▫️ ${CANARY_ALARM}: not read yet`);
    expect(before).toContain('▫️ orders-api-stable-health: not read yet');
    expect(after).toMatch(new RegExp(`🟢 ${CANARY_ALARM}: \\*OK\\* as of <!date\\^\\d+`));
  });

  it('names who started, who approved and when, and the strategy', async () => {
    const { h, release } = await releaseIn('stoppingMirror');
    const approvedAt = release.approvals[0]?.at ?? '';

    const fields = fieldTexts(releaseCard(release, h.now()));

    expect(fields).toContain('*Strategy*\nmirroring 10%');
    expect(fields).toContain(`*Started by*\n<@${REQUESTER}> at ${slackTime(release.requestedAt)}`);
    expect(fields).toContain(`*Approvals*\n<@${APPROVER}> at ${slackTime(approvedAt)}`);
  });

  it('highlights the share the canary gets now among the steps', async () => {
    const { h, release } = await releaseIn('verifying', 'steps');

    expect(fieldTexts(releaseCard(release, h.now()))).toContain(
      '*Strategy*\nin steps of *10%* → 50% → 100%, each baked 15 min',
    );
  });

  it('says who aborted and shows the rollback steps instead of the plan', async () => {
    const h = harness();
    const { release: verifying } = await releaseIn('verifying', 'mirror', h);
    await h.service.apply(verifying.id, { kind: 'abortRequested', actor: requester });
    const release = await h.load(verifying.id);

    const card = releaseCard(release, h.now());

    expect(fieldTexts(card)).toContain(
      `*Rolling back because*\naborted by <@${REQUESTER}> at ${slackTime(h.now())}`,
    );
    expect(timeline(card)).toBe('*Rollback*\n▶ *stable hosts back on nginx*\n○ remove the canary');
  });

  it('gives the alarm and its reason as the cause of a rollback', async () => {
    const { h, release } = await releaseIn('rolledBack');

    const card = releaseCard(release, h.now());

    expect(fieldTexts(card).find((f) => f.startsWith('*Rolled back because*'))).toMatch(
      /^\*Rolled back because\*\nAlarm orders-api-canary-5xx is ALARM at <!date\^\d+\^\{time\}\|14:00 UTC>\n> Threshold Crossed/,
    );
    expect(timeline(card)).toBe('*Rollback*\n✓ stable hosts back on nginx\n✓ remove the canary');
    expect(allText(card)).toMatch(new RegExp(`🔴 ${CANARY_ALARM}: \\*ALARM\\*`));
  });

  it('makes a failed rollback loud: step, host, status, the proxy left in place, and how to retry', async () => {
    const { h, release } = await releaseIn('rollbackFailed', 'steps');

    const card = releaseCard(release, h.now());

    const text = stateLine(card);
    expect(text).toContain('🚨 *ROLLBACK FAILED');
    expect(text).toContain(
      `The rollback stopped at *putting the stable hosts back on their own nginx*: failed on host ${FAILING_HOST} (attempt 1).`,
    );
    expect(text).toContain("the stable hosts may still serve through the agent's proxy");
    expect(text).toContain('Press *Retry rollback* (or `/canary retry orders-api`)');
    expect(timeline(card)).toContain('✗ *stable hosts back on nginx: failed*');
    expect(buttonsOf(card)).toEqual([
      expect.objectContaining({
        text: expect.objectContaining({ text: 'Retry rollback' }),
        style: 'primary',
      }),
    ]);
    expect(card.text).toContain('ROLLBACK FAILED');
  });

  it('shows the fleet progress from the hosts heard from so far, in words', async () => {
    const { h, release: cleaning } = await releaseIn('promoting');
    const { commandId } = h.lastCommand('promote');
    await h.service.applyToCommand(commandId, {
      kind: 'hostCommandFinished',
      commandId,
      hostId: 'i-0aaaaaaaaaaaaaaa1',
      status: 'success',
    });
    const release = await h.load(cleaning.id);

    const text = sectionTexts(releaseCard(release, h.now())).join('\n');

    expect(text).toContain(
      '*Hosts*: promoting the new version on the stable fleet, running\n1 done · 0 failed · 0 still running, of the 1 host heard from so far',
    );
    expect(sectionTexts(releaseCard(cleaning, h.now())).join('\n')).toContain(
      '*Hosts*: promoting the new version on the stable fleet, running\nNo host has reported yet.',
    );
    expect(text).not.toContain('reported so far');
  });

  it('says the rollback waits for a running operation to stop first', async () => {
    const h = harness();
    const { release: promoting } = await releaseIn('promoting', 'mirror', h);
    await h.service.apply(promoting.id, { kind: 'rollbackRequested', actor: approver });
    const release = await h.load(promoting.id);

    const card = releaseCard(release, h.now());

    expect(timeline(card).split('\n')[1]).toBe(
      '▶ *wait for the running step to stop: promoting the new version on the stable fleet*',
    );
    expect(fieldTexts(card)).toContain(
      `*Rolling back because*\nrollback requested by <@${APPROVER}> at ${slackTime(h.now())}`,
    );
  });

  it('names the colour a blue/green deploy runs on, and a switch the rollback waits for', async () => {
    const { h, release } = await releaseIn('deployingIdle', 'blueGreen');
    expect(allText(releaseCard(release, h.now()))).toContain(
      '*Hosts*: deploying the idle (green) fleet, running',
    );

    h.failListenerCalls(1);
    await h.finishCommand('deployIdle');
    await h.service.apply(release.id, { kind: 'abortRequested', actor: requester });
    const waiting = await h.load(release.id);
    expect(timeline(releaseCard(waiting, h.now())).split('\n').slice(1)).toEqual([
      '▶ *wait for the running step to stop: switching the listener*',
      '○ switch the listener back to blue',
    ]);
  });

  it('says where a blue/green rollback stopped and what the listener may still do', async () => {
    const { h, release } = await releaseIn('rollbackFailed', 'blueGreen');
    const text = allText(releaseCard(release, h.now()));
    expect(text).toContain('The rollback stopped at *switching the listener back*: failed');
    expect(text).toContain('the listener may still forward to green (1.4.2)');
    expect(text).toContain('Alarm orders-api-green-5xx is ALARM');
  });

  it('lists warnings', async () => {
    const { h, release: cleaning } = await releaseIn('cleaningUp');
    await h.finishCommand('removeCanary', 'failed');
    const release = await h.load(cleaning.id);

    expect(sectionTexts(releaseCard(release, h.now()))).toContain(
      '⚠️ *Warnings*\n• Removing the canary failed; clean it up by hand.',
    );
  });

  it('collapses a long step plan: done and later steps share a line each', async () => {
    const h = harness();
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'steps', steps: [1, 2, 5, 10, 20, 30, 50, 70, 90, 100] },
    });
    if (!started.ok) throw new Error(started.message);
    await h.finishCommand('deployCanary');
    for (let step = 0; step < 4; step++) {
      await h.finishCommand('shiftTraffic');
      await h.elapseWindow(started.release.id);
    }
    await h.finishCommand('shiftTraffic');
    const release = await h.load(started.release.id);

    expect(timeline(releaseCard(release, h.now()))).toBe(
      [
        '*Plan*',
        '✓ deploy 1.4.2 to the canary',
        '✓ 1% → 2% → 5% → 10% of users',
        '▶ *20% of users, bake 15 min*',
        '○ 30% → 50% → 70% → 90% → 100% of users',
        '○ approval',
        '○ promote 1.4.2 on the stable fleet',
        '○ stable hosts back on their own nginx',
        '○ remove the canary',
      ].join('\n'),
    );
  });

  it("asks for each step's approval to raise the share, with the approval part of its step", async () => {
    const h = harness({ configs: [serviceConfig({ steps: { approveEachStep: true } })] });
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'steps', steps: [10, 50, 100] },
    });
    if (!started.ok) throw new Error(started.message);
    const id = started.release.id;
    await h.finishCommand('deployCanary');
    await h.finishCommand('shiftTraffic');
    await h.elapseWindow(id);
    const approving = await h.load(id);
    await approve(h, id);
    await h.finishCommand('shiftTraffic');
    const baking = await h.load(id);

    const card = releaseCard(approving, h.now());

    expect(stateLine(card)).toContain('press Promote to send 50% of users to the canary');
    expect(timeline(card)).toContain('▶ *10% of users, bake 15 min, approval*\n○ 50% → 100% of users');
    expect(staleActionExplanation(baking, await h.store.history(id), 'promote')).toBe(
      'Not waiting for approval yet: the release is verifying; Promote comes back when it is.',
    );
  });

  it('shows a pipeline that started a release by its name, escaped', () => {
    const result = requestRelease({
      releaseId: 'orders-api-r9',
      config: serviceConfig(),
      fromVersion: '1.4.1',
      toVersion: '1.4.2',
      requestedBy: { kind: 'pipeline', id: 'orders-ci <main>' },
      now: '2026-11-22T14:00:00.000Z',
    });
    if (!result.ok) throw new Error(result.message);

    expect(fieldTexts(releaseCard(result.release, result.release.requestedAt))[1]).toBe(
      `*Started by*\norders-ci &lt;main&gt; (pipeline) at ${slackTime('2026-11-22T14:00:00.000Z')}`,
    );
  });
});

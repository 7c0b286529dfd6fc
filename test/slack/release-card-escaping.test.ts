import { describe, expect, it } from 'vitest';
import { noticeReply } from '../../adapters/slack-presentation/notice-reply';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import { harness } from '../support/harness';
import { raiseAlarm, releaseIn } from './release-card-fixtures';

describe('escaping', () => {
  it('escapes an alarm reason so it can neither broadcast nor mention', async () => {
    const h = harness();
    const { release: verifying } = await releaseIn('verifying', 'mirror', h);
    await raiseAlarm(h, verifying.id, '<!channel> & <@U123>');
    const release = await h.load(verifying.id);

    const card = releaseCard(release, h.now());

    const json = JSON.stringify(card);
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U123>');
    expect(json).toContain(`<@${REQUESTER}>`);
  });

  it('mentions the acting person but escapes a comment that carries mentions', async () => {
    const { release } = await releaseIn('verifying');

    const reply = noticeReply(release, { kind: 'rejected', by: APPROVER, comment: '<@U0ATTACKER> <!here>' });

    const json = JSON.stringify(reply);
    expect(json).toContain(`Rejected by <@${APPROVER}>. “&lt;@U0ATTACKER&gt; &lt;!here&gt;”`);
    expect(json).not.toMatch(/<!here>|<@U0ATTACKER>/);
  });

  it('escapes a host output, and never mentions an actor id that is not a Slack user id', async () => {
    const { release } = await releaseIn('verifying');

    const reply = noticeReply(release, {
      kind: 'hostResult',
      operation: 'deployCanary',
      hostId: 'i-1',
      status: 'failed',
      output: 'deploy failed\n<!channel> & co',
      leadsTo: 'rollingBack',
    });
    const aborted = noticeReply(release, { kind: 'aborted', by: '!channel' });

    const json = JSON.stringify([reply, aborted]);
    expect(json).toContain('&lt;!channel&gt; &amp; co');
    expect(json).toContain('Aborted by !channel.');
    expect(json).not.toMatch(/<!channel>|<@!/);
  });

  it('shows a legacy note (stored as text) fully escaped, mentions included', async () => {
    const { release } = await releaseIn('verifying');

    const reply = noticeReply(release, { kind: 'legacy', text: `Approved by <@${APPROVER}>. <!here>` });

    expect(JSON.stringify(reply)).toContain(`Approved by &lt;@${APPROVER}&gt;. &lt;!here&gt;`);
  });
});

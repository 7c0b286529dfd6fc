import { describe, expect, it } from 'vitest';
import { signedHeaders } from '../../handlers/slack/request-signature';
import { APPROVER, REQUESTER, SECOND_APPROVER, STRANGER } from '../../local/fixture-service-config';
import { lambdaContext } from '../../local/lambda-http';
import type { ConsoleMessage } from '../../local/slack-standin';
import { CHANNEL, GROUP_MEMBER, SECRET, slackFunctionOnLoopback } from './slack-world';

/*
 * The Slack function starting a release and posting its card, and the card's buttons: approvers, four eyes, user
 * groups, simultaneous clicks, and the broadcast of an automatic rollback. Set-up in slack-world.ts.
 */

const { env, world, card, buttons, lastEphemeralTo, command, click, releaseIdOf, releaseAwaitingApproval } =
  slackFunctionOnLoopback();

describe('the Slack function', () => {
  it('is a two-argument async handler, as nodejs24.x requires', () => {
    expect(world.handler.length).toBe(2);
  });

  it('starts a release from /canary start, answers at once, and hands the slow work off', async () => {
    const reply = await command(REQUESTER, 'start orders-api 1.4.2 mirror=5 window=10m');

    expect(reply).toContain('Started *orders-api* 1.4.1 → 1.4.2, mirroring 5%');
    const [release] = await world.store.activeReleases();
    expect(release).toMatchObject({
      state: 'deployingCanary',
      requestedBy: { kind: 'person', id: REQUESTER },
    });
    expect(world.h.commands).toHaveLength(0);
    expect(world.handedOff).toEqual([release?.id]);
    expect(card()).toBeUndefined();
  });

  it('posts one card when the handed-off effects run, and updates it in place as the release moves', async () => {
    await command(REQUESTER, 'start orders-api 1.4.2 mirror=5');
    await world.runHandedOff();
    const posted = card();
    expect(world.h.lastCommand('deployCanary').operation.parameters.Version).toBe('1.4.2');
    expect(posted?.channel).toBe(CHANNEL);
    expect(JSON.stringify(posted?.blocks)).toContain('orders-api 1.4.1 → 1.4.2');
    expect(buttons(posted).map((b) => b.action_id)).toEqual(['canary_rollback', 'canary_abort']);
    // No Slack confirm dialog: the agent checks who pressed first, then asks (see the card buttons below).
    expect(buttons(posted).every((b) => b.confirm === undefined)).toBe(true);

    const releaseId = releaseIdOf(posted as ConsoleMessage);
    await world.h.finishCommand('deployCanary');
    await world.h.finishCommand('startMirror');
    await world.h.elapseWindow(releaseId);
    const updated = card();
    expect(updated?.ts).toBe(posted?.ts);
    expect(
      env.standin.messages().filter((m) => m.from === 'app' && !m.threadTs && !m.visibleTo),
    ).toHaveLength(1);
    expect(buttons(updated).map((b) => b.action_id)).toEqual([
      'canary_promote',
      'canary_rollback',
      'canary_abort',
    ]);
    expect(env.standin.calls().filter((c) => c.method === 'chat.update').length).toBeGreaterThan(2);
  });
});

describe('the card buttons', () => {
  it('promotes on an approver click and tells a stranger why nothing happened', async () => {
    const release = await releaseAwaitingApproval();

    await click(STRANGER, 'canary_promote');
    expect(lastEphemeralTo(STRANGER)).toContain(`Only an approver (<@${APPROVER}>`);
    expect((await world.h.load(release.id)).state).toBe('awaitingApproval');

    await click(APPROVER, 'canary_promote');
    await world.runHandedOff();
    const promoted = await world.h.load(release.id);
    expect(promoted.state).toBe('stoppingMirror');
    expect(promoted.approvals.map((a) => a.by)).toEqual([APPROVER]);
    expect(JSON.stringify(card()?.blocks)).toContain(`<@${APPROVER}>`);
  });

  it('refuses the requester when the service wants four eyes', async () => {
    const release = await releaseAwaitingApproval();

    await click(REQUESTER, 'canary_promote');

    expect(lastEphemeralTo(REQUESTER)).toContain('four eyes');
    expect((await world.h.load(release.id)).state).toBe('awaitingApproval');
  });

  it('accepts an approver who is one only through a user group', async () => {
    const release = await releaseAwaitingApproval();

    await click(GROUP_MEMBER, 'canary_promote');

    expect((await world.h.load(release.id)).approvals.map((a) => a.by)).toEqual([GROUP_MEMBER]);
    expect(env.standin.calls().some((c) => c.method === 'usergroups.users.list')).toBe(true);
  });

  it('turns two approvers clicking at the same moment into exactly one promotion', async () => {
    const release = await releaseAwaitingApproval();

    await Promise.all([click(APPROVER, 'canary_promote'), click(SECOND_APPROVER, 'canary_promote')]);

    const promoted = await world.h.load(release.id);
    expect(promoted.approvals).toHaveLength(1);
    expect(promoted.state).toBe('stoppingMirror');
    const loser = promoted.approvals[0]?.by === APPROVER ? SECOND_APPROVER : APPROVER;
    expect(lastEphemeralTo(loser)).toMatch(/already/i);
    expect(lastEphemeralTo(loser)).toContain(`<@${promoted.approvals[0]?.by}>`);
  });

  it('explains a second click on an action already taken, and changes nothing', async () => {
    const release = await releaseAwaitingApproval();
    await click(APPROVER, 'canary_abort');
    await click(APPROVER, 'canary_abort_confirmed');
    const aborted = await world.h.load(release.id);

    await click(SECOND_APPROVER, 'canary_abort');

    expect(lastEphemeralTo(SECOND_APPROVER)).toMatch(/already rolling back/i);
    expect((await world.h.load(release.id)).version).toBe(aborted.version);
  });

  it('refuses Roll back to a stranger at once, naming the rule, and asks the requester to confirm first', async () => {
    const release = await releaseAwaitingApproval();

    await click(STRANGER, 'canary_rollback');
    const refusal = env.standin.messages().filter((m) => m.visibleTo === STRANGER);
    expect(refusal.map((m) => m.text)).toEqual([
      expect.stringContaining(`Only the requester (<@${REQUESTER}>) or an approver (<@${APPROVER}>`),
    ]);
    expect(refusal[0]?.blocks).toEqual([]);

    await click(REQUESTER, 'canary_rollback');
    expect(lastEphemeralTo(REQUESTER)).toBe('Roll back orders-api to 1.4.1?');
    expect((await world.h.load(release.id)).state).toBe('awaitingApproval');
    await click(REQUESTER, 'canary_rollback_confirmed');
    expect((await world.h.load(release.id)).state).toBe('rollingBack');
    expect(lastEphemeralTo(REQUESTER)).toContain('Rolling back *orders-api* 1.4.1 → 1.4.2');
  });

  it('explains a click on a card whose release the agent does not know', async () => {
    const payload = {
      type: 'block_actions',
      user: { id: APPROVER },
      trigger_id: '9.9.unknown',
      actions: [{ type: 'button', action_id: 'canary_promote', value: 'orders-api-gone', action_ts: '1' }],
      response_url: `${env.standin.url()}/respond/${APPROVER}`,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

    const response = await world.handler(
      { headers: signedHeaders(SECRET, body), body, isBase64Encoded: false } as never,
      lambdaContext('slack'),
    );

    expect(response.statusCode).toBe(200);
    expect(lastEphemeralTo(APPROVER)).toContain('does not know');
  });

  it('broadcasts an automatic rollback to the channel with the alarm and its reason', async () => {
    const release = await releaseAwaitingApproval();

    await world.h.service.alarmChanged(
      {
        alarmName: 'orders-api-canary-5xx',
        state: 'ALARM',
        reason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).',
        at: world.h.now(),
      },
      'alarm-1',
    );

    const broadcast = env.standin
      .calls()
      .filter((c) => c.method === 'chat.postMessage' && String(c.body.reply_broadcast) === 'true');
    expect(broadcast.length).toBeGreaterThan(0);
    expect(JSON.stringify(broadcast.map((c) => c.body))).toContain('orders-api-canary-5xx');
    expect(JSON.stringify(broadcast.map((c) => c.body))).toContain('Threshold Crossed');
    expect(buttons(card())).toEqual([]);
    expect((await world.h.load(release.id)).state).toBe('rollingBack');
  });
});

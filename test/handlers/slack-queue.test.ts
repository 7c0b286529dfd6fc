import { describe, expect, it } from 'vitest';
import { CANCEL_QUEUED_ACTION_ID } from '../../adapters/slack-presentation/card-queue';
import { APPROVER, REQUESTER, STRANGER } from '../../local/fixture-service-config';
import { GROUP_MEMBER, slackFunctionOnLoopback } from './slack-world';

/*
 * The start queue through the real Slack function (signed requests, Bolt, DynamoDB Local): `/canary start` on a
 * busy service, the running card's queued line and Cancel button, `/canary list`, `status` and `cancel`.
 * Set-up in slack-world.ts.
 */

const { env, world, card, buttons, lastEphemeralTo, command } = slackFunctionOnLoopback();
/** Neither an approver nor the one who queued: may not cancel. */
const OTHER_STRANGER = 'U0STRANGER2';

/** orders-api 1.4.2 running from Slack, its card posted, and `text` typed by `user` while it runs. */
async function queueWhileRunning(user: string, text: string): Promise<string> {
  await command(REQUESTER, 'start orders-api 1.4.2');
  await world.runHandedOff();
  const reply = await command(user, text);
  await world.runHandedOff();
  return reply;
}

async function pressCancel(user: string): Promise<void> {
  const message = card();
  const button = buttons(message).find((b) => b.action_id === CANCEL_QUEUED_ACTION_ID) as
    | { value?: string }
    | undefined;
  if (!message || !button?.value) throw new Error('the card has no Cancel button');
  const { status } = await env.standin.click(
    user,
    message.id,
    CANCEL_QUEUED_ACTION_ID,
    button.value,
    'queue',
  );
  expect(status).toBe(200);
}

describe('/canary start on a busy service', () => {
  it('queues the start, says when it will run, and shows it on the running card with a Cancel button', async () => {
    const reply = await queueWhileRunning(
      APPROVER,
      'start orders-api 1.4.3 strategy=steps:10,100 window=15m',
    );

    expect(reply).toContain(`Queued *orders-api* *1.4.3* by <@${APPROVER}>`);
    expect(reply).toContain('strategy=steps:10,100 window=15m');
    expect(reply).toContain('Cancel it with `/canary cancel orders-api`');
    const [running] = await world.store.activeReleases();
    expect(await world.store.queuedStart('orders-api')).toMatchObject({
      toVersion: '1.4.3',
      behind: running?.id,
      channel: 'C0RELEASES',
      requestedBy: { kind: 'person', id: APPROVER },
      strategy: { kind: 'steps', steps: [10, 100] },
      windowSeconds: 900,
    });
    const blocks = JSON.stringify(card()?.blocks);
    expect(blocks).toContain(`Queued next:* *1.4.3* by <@${APPROVER}>`);
    expect(blocks).toContain('It starts when this release ends');
    expect(buttons(card()).map((b) => b.action_id)).toContain(CANCEL_QUEUED_ACTION_ID);
    const thread = env.standin.messages().filter((m) => m.threadTs && m.from === 'app');
    expect(thread.map((m) => m.text).join('\n')).toContain(
      `<@${APPROVER}> queued 1.4.3 to start when this release ends`,
    );
  });

  it('replaces a queued start with a newer one, and says whose it replaced', async () => {
    await queueWhileRunning(REQUESTER, 'start orders-api 1.4.3');

    const reply = await command(APPROVER, 'start orders-api 1.4.4');

    expect(reply).toContain(`It replaces 1.4.3 queued by <@${REQUESTER}>`);
    expect((await world.store.queuedStart('orders-api'))?.toVersion).toBe('1.4.4');
  });

  it('lists the queued start in /canary list and /canary status', async () => {
    await queueWhileRunning(APPROVER, 'start orders-api 1.4.3');
    const [running] = await world.store.activeReleases();

    const list = await command(STRANGER, 'list');
    const status = await command(STRANGER, 'status orders-api');

    expect(list).toContain('*Releases in progress*');
    expect(list).toContain(`*Queued to start next*\n• *orders-api* *1.4.3* by <@${APPROVER}>`);
    expect(list).toContain(`after release \`${running?.id}\``);
    expect(status).toContain(`Queued next: *1.4.3* by <@${APPROVER}>`);
    expect(status).toContain('it starts when this release ends');
  });
});

describe('/canary cancel', () => {
  it('refuses a stranger, naming who may, and cancels for the person who queued it', async () => {
    await queueWhileRunning(STRANGER, 'start orders-api 1.4.3');

    const refused = await command(OTHER_STRANGER, 'cancel orders-api');
    expect(refused).toContain(`Only <@${STRANGER}>, who queued it, or an approver of *orders-api*`);
    expect(refused).toContain(`<@${APPROVER}>`);
    expect(await world.store.queuedStart('orders-api')).not.toBeNull();

    const cancelled = await command(STRANGER, 'cancel orders-api');
    await world.runHandedOff();

    expect(cancelled).toContain('Cancelled the queued start of *orders-api* *1.4.3*');
    expect(await world.store.queuedStart('orders-api')).toBeNull();
    expect(JSON.stringify(card()?.blocks)).not.toContain('Queued next');
    expect(await command(STRANGER, 'cancel orders-api')).toContain('No start of *orders-api* is queued');
  });

  it('cancels from the card’s button for an approver by user group, and refuses a stranger there', async () => {
    await queueWhileRunning(REQUESTER, 'start orders-api 1.4.3');

    await pressCancel(STRANGER);
    expect(lastEphemeralTo(STRANGER)).toContain(`Only <@${REQUESTER}>, who queued it, or an approver`);
    await pressCancel(GROUP_MEMBER);
    await world.runHandedOff();

    expect(lastEphemeralTo(GROUP_MEMBER)).toContain('Cancelled the queued start');
    expect(await world.store.queuedStart('orders-api')).toBeNull();
  });
});

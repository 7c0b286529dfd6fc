import { describe, expect, it } from 'vitest';
import { APPROVER, REQUESTER, STRANGER } from '../../local/fixture-service-config';
import { slackFunctionOnLoopback } from './slack-world';

/*
 * What `/canary` answers: errors saying what to type, refusals, status, list, history, help and abort.
 * Set-up in slack-world.ts.
 */

const { env, world, command } = slackFunctionOnLoopback();

describe('/canary input', () => {
  it.each([
    ['deploy orders-api 1.4.2', /unknown command/i],
    ['start orders-api', /version/i],
    ['start orders-api 1.4.2;rm -rf /', /not a version|`/],
    ['start orders-api 1.4.2 mirror=500', /mirror/i],
    ['start Orders_API 1.4.2', /service/i],
    ['promote', /service/i],
  ])('answers "%s" with an ephemeral error saying what to type', async (text, expected) => {
    const { reply } = await env.standin.command(REQUESTER, text);
    const body = JSON.parse(reply ?? '{}') as { response_type?: string; text?: string };

    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(expected);
    expect(body.text).toContain('/canary');
    expect(await world.store.activeReleases()).toEqual([]);
  });

  it('explains why a service without colours cannot go blue/green, and starts nothing', async () => {
    const reply = await command(REQUESTER, 'start orders-api 1.4.2 strategy=blue-green');

    expect(reply).toContain('orders-api has no blueGreen section');
    expect(reply).toContain('Release it with mirroring or in steps');
    expect(reply).toContain('[strategy=mirror|steps|steps:5,25,50,100|mirror,steps:5,25,100|blue-green]');
    expect(await world.store.activeReleases()).toEqual([]);
    expect(world.handedOff).toEqual([]);
  });

  it('queues a start for a busy service behind what is running, and says how to cancel it', async () => {
    await command(REQUESTER, 'start orders-api 1.4.2');
    const [running] = await world.store.activeReleases();

    const reply = await command(APPROVER, 'start orders-api 1.4.3');

    expect(reply).toContain(`Queued *orders-api* *1.4.3* by <@${APPROVER}>`);
    expect(reply).toContain(`it starts when release \`${running?.id}\` ends`);
    expect(reply).toContain('/canary cancel orders-api');
  });

  it('answers status, list, history and help', async () => {
    await command(REQUESTER, 'start orders-api 1.4.2');

    expect(await command(STRANGER, 'status orders-api')).toContain(
      '*orders-api* 1.4.1 → 1.4.2: deploying the canary, mirroring 10%',
    );
    expect(await command(STRANGER, 'list')).toContain('Releases in progress');
    expect(await command(STRANGER, 'history orders-api')).toContain('1.4.1 → 1.4.2 *deploying the canary*');
    expect(await command(STRANGER, 'help')).toContain('/canary start');
    expect(await command(STRANGER, 'status billing-api')).toContain('No service called *billing-api*');
  });

  it('aborts from a command, and refuses a stranger', async () => {
    await command(REQUESTER, 'start orders-api 1.4.2');

    expect(await command(STRANGER, 'abort orders-api')).toContain(
      `Only the requester (<@${REQUESTER}>) or an approver`,
    );
    expect(await world.store.activeReleases()).toHaveLength(1);
    expect(await command(REQUESTER, 'abort orders-api')).toContain('Aborted *orders-api*');
    const [release] = await world.store.recentReleases('orders-api', 1);
    expect(release?.rollback?.reason).toEqual({ kind: 'aborted', by: REQUESTER });
  });
});

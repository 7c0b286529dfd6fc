import { describe, expect, it } from 'vitest';
import { servicesOf } from '../../domain/group';
import { APPROVER, REQUESTER } from '../../local/fixture-service-config';
import { memberConfig } from '../app/group-fixtures';
import { slackFunctionOnLoopback } from './slack-world';

/*
 * `/canary start` for a group through the real Slack function (signed requests, Bolt's Lambda receiver, DynamoDB
 * Local): ad hoc and named groups started, and the refusals that name a member. Set-up in slack-world.ts.
 */

const checkout = {
  name: 'checkout',
  downstream: ['orders-api', 'payments'],
  versions: { front: '2.0.1', 'orders-api': '1.4.2', payments: '2.1.0' },
};
const { world, command } = slackFunctionOnLoopback(
  [
    memberConfig('front', { groups: [checkout] }),
    memberConfig('payments'),
    // Only the approver may start it: a group with it is refused for anyone else.
    memberConfig('ledger', { requesters: { users: [APPROVER], groups: [] } }),
    // Started from its own channel only, which is not the one the commands here come from.
    memberConfig('billing', { slack: { channel: 'C0BILLING' } }),
  ],
  { versions: { front: '2.0.0', payments: '2.0.9', ledger: '0.9.0', billing: '3.0.0' } },
);

describe('/canary start for a group', () => {
  it('starts an ad hoc group in call order and names each member, the steps and the channel', async () => {
    // Act
    const reply = await command(
      REQUESTER,
      'start orders-api=1.4.2 payments=2.1.0 strategy=steps:10,100 window=15m',
    );

    // Assess
    expect(reply).toBe(
      'Started a group release: *orders-api* 1.4.1 → 1.4.2, *payments* 2.0.9 → 2.1.0. *orders-api* sends users down the new path in steps of 10% → 100%, each step watched for 15 min. Follow it in <#C0RELEASES>.',
    );
    const [release] = await world.store.activeReleases();
    expect(release && servicesOf(release)).toEqual(['orders-api', 'payments']);
    expect(release?.requestedBy).toMatchObject({ kind: 'person', id: REQUESTER });
    expect(world.handedOff).toEqual([release?.id]);
  });

  it('starts a configured group by name, a version typed replacing the group’s own', async () => {
    // Act
    const reply = await command(REQUESTER, 'start group checkout payments=2.1.1');

    // Assess
    expect(reply).toMatch(
      /^Started the group \*checkout\*: \*front\* 2\.0\.0 → 2\.0\.1, \*orders-api\* 1\.4\.1 → 1\.4\.2, \*payments\* 2\.0\.9 → 2\.1\.1\. \*front\* sends users down the new path in steps of /,
    );
    const [release] = await world.store.activeReleases();
    expect(release?.group?.name).toBe('checkout');
  });

  it('refuses a group with a busy member, naming the member, the release that holds it, and how to stop it', async () => {
    // Prepare
    await command(REQUESTER, 'start orders-api 1.4.2');
    const [running] = await world.store.activeReleases();

    // Act
    const reply = await command(REQUESTER, 'start front=2.0.1 orders-api=1.4.3');

    // Assess
    expect(reply).toContain(
      `*orders-api* is busy, so the group did not start (a group is never queued): release \`${running?.id}\` holds it.`,
    );
    expect(reply).toContain('• *orders-api* 1.4.1 → 1.4.2: deploying the canary');
    expect(reply).toContain(
      'See it with `/canary status orders-api`, or stop it with `/canary abort orders-api`',
    );
    expect((await world.store.activeReleases()).map((r) => r.id)).toEqual([running?.id]);
  });

  it('refuses a member the person may not start as `start` does, naming the member and who may', async () => {
    // Act
    const reply = await command(REQUESTER, 'start orders-api=1.4.2 ledger=0.9.1');

    // Assess
    expect(reply).toBe(`You may not start *ledger*: only <@${APPROVER}> may. Ask one of them to start it.`);
    expect(await world.store.activeReleases()).toEqual([]);
  });

  it('refuses a member started from another channel as `start` does, naming the member and where', async () => {
    const reply = await command(REQUESTER, 'start orders-api=1.4.2 billing=3.0.1');

    expect(reply).toBe('*billing* is started from <#C0BILLING> only: type the command there.');
  });

  it('refuses a group with a frozen member, with the freeze and how to lift it', async () => {
    // Prepare
    expect(await command(APPROVER, 'freeze payments quarter close')).toContain('Froze *payments*');

    // Act
    const reply = await command(REQUESTER, 'start orders-api=1.4.2 payments=2.1.0');

    // Assess
    expect(reply).toContain('*payments* is frozen, so no release of it starts:');
    expect(reply).toContain('“quarter close”');
    expect(reply).toContain('`/canary unfreeze payments`');
    expect(await world.store.activeReleases()).toEqual([]);
  });

  it('answers an unknown member with the closest configured names', async () => {
    const reply = await command(REQUESTER, 'start orders-api=1.4.2 paymnts=2.1.0');

    expect(reply).toContain('No service called *paymnts* is configured. Did you mean *payments*?');
    expect(reply).toContain('If it is new, ask your platform team to add it.');
  });

  it('answers an unknown group with the configured groups and the usage', async () => {
    const reply = await command(REQUESTER, 'start group chekout');

    expect(reply).toContain('No group called chekout is configured. Configured groups: checkout.');
    expect(reply).toContain('Usage: `/canary start ‹service›=‹version› ‹service›=‹version›…');
  });

  it('answers a member that already runs its version with the engine’s reason', async () => {
    const reply = await command(REQUESTER, 'start orders-api=1.4.1 payments=2.1.0');

    expect(reply).toContain('orders-api already runs 1.4.1; leave it out of the group.');
    expect(await world.store.activeReleases()).toEqual([]);
  });

  it('refuses mirroring for a group before anything is asked of the engine', async () => {
    const reply = await command(REQUESTER, 'start orders-api=1.4.2 payments=2.1.0 mirror=10');

    expect(reply).toContain('A group release routes by the tag in steps');
    expect(await world.store.activeReleases()).toEqual([]);
    expect(world.handedOff).toEqual([]);
  });
});

import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_VALUE, ssmRoutingLists } from '../../adapters/ssm-routing-lists';
import { changeList } from '../../domain/routing-lists';
import { holdToContract } from '../support/aws-contract';
import { fakeParameterStore } from '../support/fake-parameter-store';

const ssm = mockClient(SSMClient);
holdToContract('ssm', ssm);
afterAll(() => ssm.restore());

const PATH = '/canary-agent/prod';
const VIPS = `${PATH}/routing/orders-api/vips`;
const lists = ssmRoutingLists(new SSMClient({ region: 'eu-west-1' }), PATH);
let store: ReturnType<typeof fakeParameterStore>;
let stored: Map<string, string[]>;

beforeEach(() => {
  ssm.reset();
  store = fakeParameterStore(ssm);
  stored = store.versions;
});

const add = (entry: string) => (entries: readonly string[]) => changeList(entries, { action: 'add', entry });

describe('the live routing lists in Parameter Store', () => {
  it('reads both lists of a service, absent ones as empty at version 0', async () => {
    stored.set(VIPS, ['u-1,tier=gold', 'u-1,tier=gold,10.0.0.0/8']);
    expect(await lists.read('orders-api')).toEqual({
      vips: { entries: ['u-1', 'tier=gold', '10.0.0.0/8'], version: 2, unreadable: [] },
      testers: { entries: [], version: 0, unreadable: [] },
    });
  });

  it('writes a StringList in the Standard tier, and an emptied list as [] (SSM refuses an empty value)', async () => {
    const first = await lists.update('orders-api', 'vips', add('u-1'), 'U1 added u-1');
    expect(first.stored).toEqual({ entries: ['u-1'], version: 1, unreadable: [] });
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: VIPS,
      Value: 'u-1',
      Type: 'StringList',
      Tier: 'Standard',
      Overwrite: true,
      Description: 'Canary Agent live routing list (vips of orders-api): U1 added u-1',
    });
    await lists.update(
      'orders-api',
      'vips',
      (e) => changeList(e, { action: 'remove', entry: 'u-1' }),
      'U1 removed u-1',
    );
    expect(stored.get(VIPS)).toEqual(['u-1', EMPTY_VALUE]);
    expect((await lists.read('orders-api')).vips).toEqual({ entries: [], version: 2, unreadable: [] });
  });

  it('writes nothing when the list already is as asked, or would be full', async () => {
    stored.set(VIPS, ['u-1']);
    expect((await lists.update('orders-api', 'vips', add('U-1'), 'n')).update).toMatchObject({
      changed: false,
    });
    stored.set(VIPS, [Array.from({ length: 455 }, (_, i) => `u-${String(i).padStart(6, '0')}`).join(',')]);
    expect((await lists.update('orders-api', 'vips', add('x'.repeat(64)), 'n')).update).toMatchObject({
      ok: false,
      reason: 'list-full',
    });
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  it('keeps both changes when another writer wrote between its read and its write', async () => {
    stored.set(VIPS, ['u-1']);
    // Another person's change lands after this one read the list and before it wrote.
    store.beforePut = () => stored.get(VIPS)?.push('u-1,u-2');

    const { stored: after } = await lists.update('orders-api', 'vips', add('u-3'), 'U1 added u-3');

    // Version 3 (ours) lacked u-2; version 4 has both.
    expect(stored.get(VIPS)).toEqual(['u-1', 'u-1,u-2', 'u-1,u-3', 'u-1,u-2,u-3']);
    expect(after).toEqual({ entries: ['u-1', 'u-2', 'u-3'], version: 4, unreadable: [] });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: `${VIPS}:2` });
  });
});

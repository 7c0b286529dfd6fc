import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patterns } from '../../domain/patterns';
import { checkListEntry, entryKey, networkOf } from '../../domain/routing-list-entries';
import {
  applyListParameters,
  changeList,
  listChangeRefusal,
  MAX_LIST_CHARS,
  mergeLists,
  readListValue,
  routingStep,
} from '../../domain/routing-lists';
import type { HostOperationStep, Release } from '../../domain/types';
import { parameterSpecs } from '../../hosts/document-parameters';
import { APPROVER, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { newRelease } from '../support/releases';

describe('a live routing list entry', () => {
  it('is a user id, a cookie or an IPv4 network, and nothing else', () => {
    expect(checkListEntry('u-1234')).toEqual({ ok: true, entry: { kind: 'user', text: 'u-1234' } });
    expect(checkListEntry('tier=gold')).toEqual({ ok: true, entry: { kind: 'cookie', text: 'tier=gold' } });
    expect(checkListEntry('10.1.0.0/16')).toEqual({
      ok: true,
      entry: { kind: 'network', text: '10.1.0.0/16' },
    });
    expect(checkListEntry('203.0.113.7')).toMatchObject({ ok: true, entry: { kind: 'network' } });
    for (const bad of [
      '',
      'a b',
      'u;1',
      '$(id)',
      '`x`',
      'a=b=c',
      '=x',
      'x=',
      '-u',
      '10.1.2.3/33',
      '256.1.1.1',
      '01.2.3.4',
    ])
      expect(checkListEntry(bad).ok, bad).toBe(false);
    expect(checkListEntry('x'.repeat(65)).ok).toBe(false);
  });

  it('says which network a prefix with host bits means, and refuses IPv6 for now', () => {
    expect(checkListEntry('10.1.2.3/16')).toEqual({
      ok: false,
      problem: '`10.1.2.3/16` has bits set past its prefix: the network is `10.1.0.0/16`.',
    });
    expect(networkOf('192.168.77.200/20')).toBe('192.168.64.0/20');
    expect(networkOf('192.168.77.200')).toBe('192.168.77.200');
    expect(checkListEntry('2001:db8::/32')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/IPv6/),
    });
  });

  it('passes the documents’ allowedPattern whenever it passes here', () => {
    const allowed = new RegExp(parameterSpecs.VipList.allowedPattern);
    const entries = fc.oneof(
      fc.stringMatching(patterns.routingToken),
      fc.stringMatching(patterns.listCookie),
      fc.stringMatching(patterns.clientNetwork),
    );
    fc.assert(
      fc.property(fc.array(entries, { maxLength: 5 }), (list) => {
        const valid = list.filter((e) => checkListEntry(e).ok);
        expect(allowed.test(valid.join(',')), valid.join(',')).toBe(true);
      }),
      { numRuns: 500 },
    );
    for (const bad of ['a b', 'a;b', 'a|b', 'a,,b', ',a', '$x', "a'b", 'a\nb'])
      expect(allowed.test(bad), bad).toBe(false);
  });

  it('is the same user id in any case, as nginx’s map compares it', () => {
    expect(entryKey('Alice-1')).toBe(entryKey('alice-1'));
    expect(entryKey('tier=Gold')).not.toBe(entryKey('tier=gold'));
  });
});

describe('changing a list', () => {
  it('adds once, removes what is there, and says when nothing changed', () => {
    expect(changeList(['u-1'], { action: 'add', entry: 'u-2' })).toEqual({
      ok: true,
      changed: true,
      entries: ['u-1', 'u-2'],
    });
    expect(changeList(['u-1'], { action: 'add', entry: 'U-1' })).toEqual({
      ok: true,
      changed: false,
      entries: ['u-1'],
    });
    expect(changeList(['u-1', 'u-2'], { action: 'remove', entry: 'U-2' })).toEqual({
      ok: true,
      changed: true,
      entries: ['u-1'],
    });
    expect(changeList([], { action: 'remove', entry: 'u-2' })).toEqual({
      ok: true,
      changed: false,
      entries: [],
    });
  });

  it('refuses an entry that would take the list past 4,096 characters, the size of a Standard parameter', () => {
    const entries = Array.from({ length: 449 }, (_, i) => `u-${String(i).padStart(6, '0')}`);
    expect(entries.join(',').length).toBe(4040);
    expect(changeList(entries, { action: 'add', entry: 'x'.repeat(55) })).toMatchObject({
      ok: true,
      changed: true,
    });
    expect(changeList(entries, { action: 'add', entry: 'x'.repeat(56) })).toEqual({
      ok: false,
      reason: 'list-full',
      chars: MAX_LIST_CHARS + 1,
    });
  });

  it('keeps both of two changes that raced: theirs, with ours made again on top', () => {
    expect(mergeLists(['a'], ['a', 'b'], ['a', 'c'])).toEqual(['a', 'b', 'c']);
    expect(mergeLists(['a', 'b'], ['a', 'b', 'c'], ['b'])).toEqual(['b', 'c']);
    expect(mergeLists(['a'], ['A'], ['a'])).toEqual(['A']);
  });

  it('reads a StringList or a JSON list, setting aside what no host may be given', () => {
    expect(readListValue('u-1,tier=gold,10.0.0.0/8')).toEqual({
      entries: ['u-1', 'tier=gold', '10.0.0.0/8'],
      unreadable: [],
    });
    expect(readListValue('["u-1", "bad entry", 7, "U-1"]')).toEqual({
      entries: ['u-1'],
      unreadable: ['7', 'bad entry'],
    });
    expect(readListValue('[]')).toEqual({ entries: [], unreadable: [] });
    const tooMany = Array.from({ length: 600 }, (_, i) => `user-${i}`).join(',');
    const read = readListValue(tooMany);
    expect(read.entries.join(',').length).toBeLessThanOrEqual(MAX_LIST_CHARS);
    expect(read.unreadable.length).toBeGreaterThan(0);
  });
});

describe('who may change a list', () => {
  it('is the service’s approvers, by user or by group', () => {
    const config = serviceConfig({ approvals: { users: [APPROVER], groups: ['S0RELEASERS'] } });
    expect(listChangeRefusal(config, { kind: 'person', id: APPROVER })).toBeNull();
    expect(listChangeRefusal(config, { kind: 'person', id: 'U0OTHER', groups: ['S0RELEASERS'] })).toBeNull();
    expect(listChangeRefusal(config, { kind: 'person', id: REQUESTER })).toBe('not-authorized');
    expect(listChangeRefusal(config, { kind: 'system', id: APPROVER })).toBe('not-authorized');
  });
});

describe('which release routes users now', () => {
  const stepsRelease = () => newRelease({ strategy: { kind: 'steps', steps: [10, 100] } }).release;
  const at = (release: Release, operation: string, exposure: Release['exposure']): Release => {
    const cursor = release.plan.findIndex((s) => s.kind === 'hostOperation' && s.operation === operation);
    return { ...release, cursor, exposure };
  };

  it('is a steps release whose last proxy operation reached is a shift of traffic, its hosts proxied', () => {
    const release = stepsRelease();
    const routing = at(release, 'shiftTraffic', ['canaryDeployed', 'stableProxied']);
    expect(routingStep(routing)).toMatchObject({
      operation: 'shiftTraffic',
      parameters: { CanaryPercent: '10' },
    });
    // Before the first shift, after the hand-back, or once it ended: nobody is routed.
    expect(routingStep(at(release, 'shiftTraffic', ['canaryDeployed']))).toBeNull();
    expect(routingStep(at(release, 'stopMirror', ['canaryDeployed', 'stableProxied']))).toBeNull();
    expect(routingStep({ ...routing, state: 'succeeded' })).toBeNull();
    expect(routingStep(newRelease().release)).toBeNull();
    expect(routingStep(null)).toBeNull();
  });

  it('sends the apply document the routing step’s settings with the lists, and not its share', () => {
    const step = routingStep(at(stepsRelease(), 'shiftTraffic', ['stableProxied'])) as HostOperationStep;
    const lists = {
      vips: { entries: ['u-1', '10.0.0.0/8'], version: 4, unreadable: [] },
      testers: { entries: [], version: 0, unreadable: [] },
    };
    const parameters = applyListParameters(step, lists);
    expect(parameters).toMatchObject({
      VipList: 'u-1,10.0.0.0/8',
      VipListVersion: '4',
      TesterList: '',
      TesterListVersion: '0',
    });
    expect(parameters).not.toHaveProperty('CanaryPercent');
    expect(step.parameters).toMatchObject({ VipList: '', VipListVersion: '0' });
  });
});

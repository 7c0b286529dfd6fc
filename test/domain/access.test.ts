import { describe, expect, it } from 'vitest';
import {
  EVERY_SERVICE,
  type Freeze,
  freezeRefusal,
  freezers,
  groupsToResolve,
  startChannels,
  startRefusal,
} from '../../domain/access';
import { parseServiceConfig } from '../../domain/service-config';
import {
  APPROVER,
  configInput,
  REQUESTER,
  STRANGER,
  serviceConfig,
} from '../../local/fixture-service-config';

const GROUP = 'S0RELEASERS';
const CHANNEL = 'C0RELEASES';
const OTHER_CHANNEL = 'C0ELSEWHERE';
const person = (id: string, groups: string[] = []) => ({ kind: 'person', id, groups }) as const;
const freeze = (scope: string): Freeze => ({
  scope,
  by: person(APPROVER),
  at: '2026-11-22T14:00:00.000Z',
  reason: 'quarter close',
});

const guarded = serviceConfig({
  requesters: { users: [REQUESTER], groups: [GROUP], pipelines: ['orders-ci'] },
  slack: { channel: CHANNEL, channels: ['C0HOTFIXES'] },
});

describe('startRefusal', () => {
  it('lets anyone start from the service channel when no requesters are listed (the old behaviour)', () => {
    // Prepare
    const open = serviceConfig();

    // Act
    const refusal = startRefusal(open, { actor: person(STRANGER), channel: CHANNEL }, []);

    // Assess
    expect(refusal).toBeNull();
  });

  it('refuses a person who is neither listed nor in a listed group, and says who may', () => {
    const refusal = startRefusal(guarded, { actor: person(STRANGER), channel: CHANNEL }, []);

    expect(refusal).toEqual({
      reason: 'not-a-requester',
      requesters: { users: [REQUESTER], groups: [GROUP], pipelines: ['orders-ci'] },
    });
  });

  it('accepts a listed user, and a member of a listed group', () => {
    expect(startRefusal(guarded, { actor: person(REQUESTER), channel: CHANNEL }, [])).toBeNull();
    expect(startRefusal(guarded, { actor: person(STRANGER, [GROUP]), channel: CHANNEL }, [])).toBeNull();
  });

  it('accepts the service channel and the listed ones, and refuses any other, naming them', () => {
    const request = (channel: string) => ({ actor: person(REQUESTER), channel });

    expect(startRefusal(guarded, request('C0HOTFIXES'), [])).toBeNull();
    expect(startRefusal(guarded, request(OTHER_CHANNEL), [])).toEqual({
      reason: 'wrong-channel',
      channels: [CHANNEL, 'C0HOTFIXES'],
    });
  });

  it('checks who before where, so a stranger is told who may rather than where to go', () => {
    const refusal = startRefusal(guarded, { actor: person(STRANGER), channel: OTHER_CHANNEL }, []);

    expect(refusal?.reason).toBe('not-a-requester');
  });

  it('lets any pipeline start unless pipelines are listed, and then only those', () => {
    const pipeline = (id: string) => ({ actor: { kind: 'pipeline', id } as const });

    expect(startRefusal(serviceConfig(), pipeline('anything-ci'), [])).toBeNull();
    expect(startRefusal(guarded, pipeline('orders-ci'), [])).toBeNull();
    expect(startRefusal(guarded, pipeline('rogue-ci'), [])).toEqual({
      reason: 'pipeline-not-allowed',
      pipelines: ['orders-ci'],
    });
  });

  it('refuses everyone, pipelines included, while the service or every service is frozen', () => {
    const own = freeze('orders-api');
    const all = freeze(EVERY_SERVICE);
    const other = freeze('billing-api');

    expect(startRefusal(guarded, { actor: person(REQUESTER), channel: CHANNEL }, [own, other])).toEqual({
      reason: 'frozen',
      freezes: [own],
    });
    expect(startRefusal(guarded, { actor: { kind: 'pipeline', id: 'orders-ci' } }, [all])).toEqual({
      reason: 'frozen',
      freezes: [all],
    });
    expect(startRefusal(guarded, { actor: person(REQUESTER), channel: CHANNEL }, [other])).toBeNull();
  });

  it('refuses the system itself, which never starts releases', () => {
    const refusal = startRefusal(serviceConfig(), { actor: { kind: 'system', id: 'sweeper' } }, []);

    expect(refusal?.reason).toBe('not-a-requester');
  });
});

describe('groupsToResolve', () => {
  it('asks Slack about groups only when the user is not listed directly', () => {
    const people = { users: [REQUESTER], groups: [GROUP] };

    expect(groupsToResolve(people, REQUESTER)).toEqual([]);
    expect(groupsToResolve(people, STRANGER)).toEqual([GROUP]);
    expect(groupsToResolve({ users: [], groups: [] }, STRANGER)).toEqual([]);
  });
});

describe('freezers and freezeRefusal', () => {
  const admins = { users: ['U0ADMIN01'], groups: ['S0ADMINS'] };

  it("lets a service's approvers and the admins freeze it, and only the admins freeze every service", () => {
    const config = serviceConfig();

    const one = freezers('orders-api', config, admins);
    const all = freezers(EVERY_SERVICE, config, admins);

    expect(freezeRefusal(one, person(APPROVER))).toBeNull();
    expect(freezeRefusal(one, person('U0ADMIN01'))).toBeNull();
    expect(freezeRefusal(one, person(STRANGER))).toBe('not-authorized');
    expect(freezeRefusal(all, person(APPROVER))).toBe('not-authorized');
    expect(freezeRefusal(all, person(STRANGER, ['S0ADMINS']))).toBeNull();
  });

  it('trusts only the admins for a service whose configuration cannot be read', () => {
    expect(freezers('orders-api', null, admins)).toEqual(admins);
  });

  it('refuses pipelines, which are not people', () => {
    expect(freezeRefusal(admins, { kind: 'pipeline', id: 'U0ADMIN01' })).toBe('not-authorized');
  });
});

describe('the requesters and channels configuration', () => {
  it('defaults to no requesters (anyone), any pipeline, and the service channel only', () => {
    const config = serviceConfig();

    expect(config.requesters).toEqual({ users: [], groups: [] });
    expect(startChannels(config)).toEqual([CHANNEL]);
  });

  it('names the field of a malformed entry, and refuses an empty pipeline list and the name "all"', () => {
    const parsed = parseServiceConfig(
      configInput({
        service: 'all',
        requesters: { users: ['ana'], groups: ['U0NOTAGROUP'], pipelines: [] },
        slack: { channel: CHANNEL, channels: ['#releases'] },
      }),
    );

    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^service: "all" is reserved/),
        expect.stringMatching(/^requesters\.users\.0: a Slack user id/),
        expect.stringMatching(/^requesters\.groups\.0: a Slack user group id/),
        expect.stringMatching(/^requesters\.pipelines: at least one pipeline name/),
        expect.stringMatching(/^slack\.channels\.0: a Slack channel id/),
      ]),
    );
  });

  it('refuses an unknown key in requesters', () => {
    const parsed = parseServiceConfig(configInput({ requesters: { user: [REQUESTER] } as never }));

    expect(parsed.ok ? [] : parsed.errors).toContain('requesters: unknown field(s) user');
  });
});

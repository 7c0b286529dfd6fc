import { GetParameterCommand, GetParametersByPathCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { servicesOf } from '../../domain/group';
import type { ServiceConfigInput } from '../../domain/service-config';
import { logger } from '../../handlers/log';
import { getTestEvent } from '../../local/fixture-events';
import { STAGE_PATH } from '../../local/lambda-env';
import { memberConfigInput } from '../app/group-fixtures';
import { handlersOnDynamo } from './handlers-on-dynamo';

/*
 * A pipeline's "Release Requested" for a group, through the real middy handlers on DynamoDB Local (AWS APIs
 * mocked): ad hoc and named groups started, a redelivery, a busy member, and malformed details dropped with a log.
 */

const { ssm, invoke, load, startRelease } = handlersOnDynamo();

const pipeline = 'shop/main#88';
const checkout = {
  name: 'checkout',
  downstream: ['orders-api', 'payments'],
  versions: { 'orders-api': '1.4.2', payments: '2.1.0' },
};

/** A member's configuration as stored, its canary alarm named as the pipeline's CloudWatch answers it. */
const memberInput = (service: string, overrides: Partial<ServiceConfigInput> = {}) =>
  memberConfigInput(service, { alarms: { canary: [`canary-${service}-5xx`], stable: [] }, ...overrides });

const members: Record<string, { config: ServiceConfigInput; version: string }> = {
  front: { config: memberInput('front', { groups: [checkout] }), version: '2.0.0' },
  'orders-api': { config: memberInput('orders-api'), version: '1.4.1' },
  payments: { config: memberInput('payments'), version: '2.0.9' },
};

const requested = (id: string, detail: Record<string, unknown>) => ({
  ...getTestEvent('canary-agent/release-requested'),
  id,
  detail: { pipeline, ...detail },
});

beforeEach(() => {
  // After the shared set-up's answers: every member's configuration and version, and the list of them.
  const parameter = (Name: string, Value: string) => ({
    Parameter: { Name, Value, Type: 'String' as const },
  });
  for (const [service, { config, version }] of Object.entries(members)) {
    const configName = `${STAGE_PATH}/services/${service}`;
    const versionName = `${STAGE_PATH}/versions/${service}`;
    ssm.on(GetParameterCommand, { Name: configName }).resolves(parameter(configName, JSON.stringify(config)));
    ssm.on(GetParameterCommand, { Name: versionName }).resolves(parameter(versionName, version));
  }
  ssm.on(GetParametersByPathCommand).resolves({
    Parameters: Object.entries(members).map(([service, { config }]) => ({
      Name: `${STAGE_PATH}/services/${service}`,
      Value: JSON.stringify(config),
      Type: 'String',
    })),
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the pipeline function on a group', () => {
  it('starts an ad hoc group in call order, as the pipeline, and a redelivery starts nothing more', async () => {
    // Prepare
    const event = requested('group-1', {
      members: [
        { service: 'front', version: '2.0.1' },
        { service: 'orders-api', version: '1.4.2' },
      ],
      steps: [10, 100],
    });

    // Act
    const answer = (await invoke('pipeline', event)) as { releaseId: string };
    const again = await invoke('pipeline', event);

    // Assess
    const release = await load(answer.releaseId);
    expect(servicesOf(release)).toEqual(['front', 'orders-api']);
    expect(release.requestedBy).toEqual({ kind: 'pipeline', id: pipeline });
    expect(release.strategy).toMatchObject({ kind: 'steps', steps: [10, 100] });
    expect(again).toMatchObject({ refused: 'duplicate-request' });
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-test-deploy-canary',
      Parameters: expect.objectContaining({ Service: ['orders-api'], Version: ['1.4.2'] }),
    });
  });

  it('starts a configured group by name, a version in the event replacing the group’s own', async () => {
    // Act
    const answer = (await invoke(
      'pipeline',
      requested('group-2', { group: 'checkout', versions: { front: '2.0.1', payments: '2.1.1' } }),
    )) as { releaseId: string };

    // Assess
    const release = await load(answer.releaseId);
    expect(release.group?.name).toBe('checkout');
    expect(release.group?.members.map((m) => `${m.service} ${m.fromVersion} → ${m.toVersion}`)).toEqual([
      'front 2.0.0 → 2.0.1',
      'orders-api 1.4.1 → 1.4.2',
      'payments 2.0.9 → 2.1.1',
    ]);
  });

  it('refuses a group with a busy member, logging why and naming the member', async () => {
    // Prepare
    const running = await startRelease();
    const warn = vi.spyOn(logger, 'warn');

    // Act
    const answer = await invoke(
      'pipeline',
      requested('group-3', { group: 'checkout', versions: { front: '2.0.1' } }),
    );

    // Assess
    expect(answer).toEqual({
      refused: 'release-busy',
      message: `orders-api already has a release in progress (${running}); wait for it to finish or abort it.`,
    });
    expect(warn).toHaveBeenCalledWith('release refused', {
      reason: 'release-busy',
      detail: expect.stringContaining('orders-api already has a release in progress'),
    });
  });

  it.each([
    [
      { members: [{ service: 'front', version: '2.0.1' }] },
      'detail.members: a group release needs at least two members',
    ],
    [{ group: 'checkout', percent: 10 }, 'detail.percent: a group release routes by the tag in steps'],
    [
      { group: 'checkout', service: 'front', version: '2.0.1' },
      'detail: give one of service, group or members',
    ],
  ])('drops the malformed detail %j with a log that says what is wrong', async (detail, problem) => {
    // Prepare
    const warn = vi.spyOn(logger, 'warn');

    // Act
    const answer = await invoke('pipeline', requested('bad-group', detail));

    // Assess
    expect(answer).toEqual({ dropped: true });
    // `detail`: the logger would drop a `message` key, and with it the reason.
    expect(warn).toHaveBeenCalledWith('event dropped', {
      code: 'BAD_EVENT',
      detail: expect.stringContaining(problem),
    });
    expect(ssm).not.toHaveReceivedCommand(SendCommandCommand);
  });
});

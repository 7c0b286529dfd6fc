import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  InvalidCommandId,
  InvocationDoesNotExist,
  ParameterNotFound,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ssmFleetOperator } from '../../adapters/ssm-fleet-operator';
import { ssmServiceConfigs, ssmVersionRegistry } from '../../adapters/ssm-parameters';
import { configInput } from '../../local/fixture-service-config';
import { holdToContract } from '../support/aws-contract';
import { smithyModel } from '../support/smithy-model';

const COMMAND = '0b5a5a5e-8a5e-4d5f-9d53-4b1f6b3c2e10';
const INSTANCE = 'i-0123456789abcdef0';

/** AWS's Smithy model of SSM: the requests sent and the answers faked here must fit it. */
const ssmModel = smithyModel('ssm-2014-11-06.json');

const ssm = mockClient(SSMClient);
holdToContract('ssm', ssm);
// The class mock patches every client of the class: restore it for the next file in this worker.
afterAll(() => {
  ssm.restore();
});
beforeEach(() => {
  ssm.reset();
});

const meta = { $metadata: {} };

describe('ssmFleetOperator', () => {
  const fleet = ssmFleetOperator(new SSMClient({}), {
    documentPrefix: 'canary-agent-prod-',
    maxConcurrency: '25',
    maxErrors: '1',
    outputLogGroup: '/ops',
  });

  it('targets every fleet tag and wraps each parameter value in an array', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND } });
    const { commandId } = await fleet.run('orders-api-r1', {
      kind: 'runHostOperation',
      stepId: 'orders-api-r1.5',
      operation: 'restoreStable',
      fleet: 'stable',
      targets: { 'canary-agent:fleet': 'orders-api-stable', env: 'prod' },
      parameters: { Version: '1.4.1', Service: 'orders-api' },
      timeoutSeconds: 300,
    });
    expect(commandId).toBe(COMMAND);
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-prod-restore-stable',
      Targets: [
        { Key: 'tag:canary-agent:fleet', Values: ['orders-api-stable'] },
        { Key: 'tag:env', Values: ['prod'] },
      ],
      Parameters: { Version: ['1.4.1'], Service: ['orders-api'] },
      MaxConcurrency: '25',
      MaxErrors: '1',
      TimeoutSeconds: 300,
    });
  });

  it('sends a drained batch by instance id, its rate control as a share, and a comment cut to SSM’s 100 characters', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND } });
    const releaseId = `orders-api-${'x'.repeat(90)}`;
    const instanceIds = Array.from({ length: 50 }, (_, i) => `i-0123456789abcd${String(i).padStart(3, '0')}`);
    await fleet.run(releaseId, {
      kind: 'runHostOperation',
      stepId: `${releaseId}.7.2`,
      operation: 'promote',
      fleet: 'stable',
      targets: { 'canary-agent:fleet': 'orders-api-stable' },
      instanceIds,
      rateControl: { maxConcurrency: '10%', maxErrors: '5%' },
      parameters: { Version: '1.4.2' },
      timeoutSeconds: 600,
    });
    const input = ssm.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(input?.InstanceIds).toEqual(instanceIds);
    expect(input?.Targets).toBeUndefined();
    expect(input).toMatchObject({ MaxConcurrency: '10%', MaxErrors: '5%' });
    expect(input?.Comment).toHaveLength(100);
    // The contract check after this test holds all of it to SSM's model (InstanceIdList at most 50, the patterns).
  });

  it('treats cancelling a command SSM no longer knows as done, and rethrows anything else', async () => {
    ssm
      .on(CancelCommandCommand)
      .rejectsOnce(new InvalidCommandId({ ...meta, message: 'invalid' }))
      .rejectsOnce(new Error('boom'));
    await expect(fleet.cancel(COMMAND)).resolves.toBeUndefined();
    await expect(fleet.cancel('7f0c2d4e-5b1a-4c3d-8e9f-0a1b2c3d4e5f')).rejects.toThrow('boom');
  });

  it('reads why a host failed from its invocation: the end of its output, standard error last', async () => {
    const answer = {
      CommandId: COMMAND,
      InstanceId: INSTANCE,
      Status: 'Failed',
      StandardOutputContent: `${'pulling image\n'.repeat(200)}{"ok":false,"message":"health check failed"}\n`,
      StandardErrorContent: 'failed: registry/orders-api:1.4.3 failed its health check /healthz\n',
    } as const;
    expect(ssmModel.answerMisfits('GetCommandInvocation', answer)).toEqual([]);
    ssm.on(GetCommandInvocationCommand).resolves(answer);

    const output = await fleet.output(COMMAND, INSTANCE);

    expect(ssmModel.requestMisfits(ssm.calls())).toEqual([]);
    expect(ssm.commandCalls(GetCommandInvocationCommand)[0]?.args[0].input).toEqual({
      CommandId: COMMAND,
      InstanceId: INSTANCE,
    });
    expect(output).toMatch(/^…/);
    expect(output).toMatch(
      /"health check failed"}\nfailed: registry\/orders-api:1\.4\.3 failed its health check \/healthz$/,
    );
    expect(output?.length).toBe(1001);
  });

  it('reads no output for an invocation SSM no longer holds, and rethrows anything else', async () => {
    ssm
      .on(GetCommandInvocationCommand)
      .rejectsOnce(new InvocationDoesNotExist({ ...meta, message: 'expired' }))
      .rejectsOnce(new Error('ThrottlingException'));
    await expect(fleet.output(COMMAND, INSTANCE)).resolves.toBeUndefined();
    await expect(fleet.output(COMMAND, INSTANCE)).rejects.toThrow('Throttling');
  });
});

describe('SSM Parameter Store configs and versions', () => {
  const client = new SSMClient({});
  const configs = ssmServiceConfigs(client, '/canary-agent/prod');
  const versions = ssmVersionRegistry(client, '/canary-agent/prod');

  it('parses a stored configuration strictly and names a misspelt field', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/canary-agent/prod/services/orders-api' })
      .resolves({ Parameter: { Value: JSON.stringify({ ...configInput(), approverz: [] }) } });

    const result = await configs.get('orders-api');

    expect(result).toEqual({ ok: false, errors: [expect.stringContaining('approverz')] });
  });

  it('reports JSON that does not parse, and returns null for an unknown service', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/canary-agent/prod/services/orders-api' })
      .resolves({ Parameter: { Value: '{"service":' } })
      .on(GetParameterCommand, { Name: '/canary-agent/prod/services/unknown-api' })
      .rejects(new ParameterNotFound({ ...meta, message: 'not found' }));

    expect(await configs.get('orders-api')).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/not valid JSON/)],
    });
    expect(await configs.get('unknown-api')).toBeNull();
    // Stored, even unparseable, is configured; only a missing parameter is not.
    expect(await configs.exists('orders-api')).toBe(true);
    expect(await configs.exists('unknown-api')).toBe(false);
  });

  it('never looks up a name that is not a service name', async () => {
    expect(await configs.get('../slack/bot-token')).toBeNull();
    expect(await configs.exists('../slack/bot-token')).toBe(false);
    expect(await versions.current('../slack/bot-token')).toBeNull();
    expect(ssm).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('records the current version as a new String parameter version (the deploy history)', async () => {
    await versions.record('orders-api', '1.4.2');
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/canary-agent/prod/versions/orders-api',
      Value: '1.4.2',
      Type: 'String',
      Overwrite: true,
    });
  });
});

import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { ssmFleetOperator } from '../../adapters/ssm-fleet-operator';
import { planFor } from '../../domain/plan';
import { parseServiceConfig } from '../../domain/service-config';
import type { HostOperationStep, Strategy } from '../../domain/types';
import { checkParameters, loadDocument } from '../../hosts/run-document';
import { BLUE_GREEN, configInput, serviceConfig } from '../../local/fixture-service-config';
import { holdToContract } from '../support/aws-contract';

/** A service that deploys with its own SSM document (examples/documents/orders-deploy.yml). */
const config = serviceConfig({ deploy: { document: 'orders-deploy' } });
const example = loadDocument('examples/documents/orders-deploy.yml');

function hostOperations(strategy: Strategy, serviceConfigOf = config): HostOperationStep[] {
  return planFor({
    releaseId: 'orders-api-r1',
    config: serviceConfigOf,
    strategy,
    fromVersion: '1.4.1',
    toVersion: '1.4.2',
    windowSeconds: 900,
  }).flatMap((step) => (step.kind === 'hostOperation' ? [step] : []));
}

describe('a service with its own deploy document', () => {
  it('runs it for every deploy, with the parameters its document declares, and the built-in ones for the proxies', () => {
    const blueGreen = serviceConfig({
      deploy: { document: 'orders-deploy' },
      fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
      blueGreen: {
        listenerArn: BLUE_GREEN.listenerArn,
        blue: { ...BLUE_GREEN.blue, alarms: ['blue-5xx'] },
        green: { ...BLUE_GREEN.green, alarms: ['green-5xx'] },
      },
    });
    const steps = [
      ...hostOperations({ kind: 'mirror', percent: 10 }),
      ...hostOperations({ kind: 'blueGreen', from: 'blue', to: 'green' }, blueGreen),
    ];
    const custom = steps.filter((s) => s.document !== undefined);
    expect(new Set(custom.map((s) => s.operation))).toEqual(
      new Set(['deployCanary', 'promote', 'deployIdle']),
    );
    for (const step of custom) {
      expect(step.document).toBe('orders-deploy');
      expect(checkParameters(example, step.parameters), step.operation).toEqual({ ok: true });
      expect(step.parameters.Operation).toBe(step.operation);
    }
    expect(steps.find((s) => s.operation === 'promote')?.parameters).toMatchObject({
      Version: '1.4.2',
      PreviousVersion: '1.4.1',
    });
    expect(steps.filter((s) => s.document === undefined).map((s) => s.operation)).toEqual(
      expect.arrayContaining(['startMirror', 'stopMirror', 'removeCanary']),
    );
  });

  it('is refused when the document name is not one SSM could hold', () => {
    const result = parseServiceConfig(configInput({ deploy: { document: 'orders deploy; rm' } }));
    expect(result.ok ? [] : result.errors).toEqual([
      'deploy.document: the part of the document name after "-custom-"',
    ]);
  });
});

describe('the SSM fleet operator', () => {
  const ssm = mockClient(SSMClient);
  holdToContract('ssm', ssm);
  afterAll(() => ssm.restore());

  it('sends the custom document under the agent’s prefix, which its role may send and whose results it hears', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: '0b5a5a5e-8a5e-4d5f-9d53-4b1f6b3c2e10' } });
    const fleet = ssmFleetOperator(new SSMClient({}), {
      documentPrefix: 'canary-agent-prod-',
      maxConcurrency: '25',
      maxErrors: '0',
      outputLogGroup: '/ops',
    });
    const promote = hostOperations({ kind: 'mirror', percent: 10 }).find((s) => s.operation === 'promote');
    if (!promote) throw new Error('no promotion');
    await fleet.run('orders-api-r1', { ...promote, kind: 'runHostOperation', stepId: 'orders-api-r1.6' });
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'canary-agent-prod-custom-orders-deploy',
      Parameters: expect.objectContaining({ Operation: ['promote'], Version: ['1.4.2'] }),
    });
  });
});

import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_LIST_PAGES, ssmServiceConfigs } from '../../adapters/ssm-parameters';
import { configInput } from '../../local/fixture-service-config';
import { holdToContract } from '../support/aws-contract';

const ssm = mockClient(SSMClient);
holdToContract('ssm', ssm);
afterAll(() => ssm.restore());
beforeEach(() => ssm.reset());

const PATH = '/canary-agent/prod';
const configs = ssmServiceConfigs(new SSMClient({}), PATH);
const stored = (service: string, value = JSON.stringify(configInput({ service }))) => ({
  Name: `${PATH}/services/${service}`,
  Type: 'String' as const,
  Value: value,
});

describe('listing the configured services (/canary services, did-you-mean)', () => {
  it('reads every page of the services path, 10 a call, and lists each configuration parsed, by name', async () => {
    // Prepare: SSM may answer a page with fewer than asked, even none, and still name a next one.
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [stored('users-api'), stored('orders-api')], NextToken: 'page-2' })
      .resolvesOnce({ Parameters: [], NextToken: 'page-3' })
      .resolvesOnce({ Parameters: [stored('billing-api', '{"service":')] });

    // Act
    const list = await configs.list();

    // Assess
    expect(list.complete).toBe(true);
    expect(list.services.map((s) => s.service)).toEqual(['billing-api', 'orders-api', 'users-api']);
    expect(list.services[1]?.config).toMatchObject({ ok: true, config: { service: 'orders-api' } });
    expect(list.services[0]?.config).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/not valid JSON/)],
    });
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, 3);
    expect(ssm).toHaveReceivedNthCommandWith(GetParametersByPathCommand, 1, {
      Path: `${PATH}/services`,
      Recursive: false,
      MaxResults: 10,
    });
    expect(ssm).toHaveReceivedNthCommandWith(GetParametersByPathCommand, 3, { NextToken: 'page-3' });
  });

  it('leaves out parameters no command could name', async () => {
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [stored('orders-api'), { ...stored('orders-api'), Name: `${PATH}/services/Orders_API` }],
    });

    expect((await configs.list()).services.map((s) => s.service)).toEqual(['orders-api']);
  });

  it(`stops after ${MAX_LIST_PAGES} calls and says the list is incomplete`, async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [stored('orders-api')], NextToken: 'more' });

    const list = await configs.list();

    expect(list.complete).toBe(false);
    expect(ssm).toHaveReceivedCommandTimes(GetParametersByPathCommand, MAX_LIST_PAGES);
  });
});

import {
  GetParameterCommand,
  type GetParameterCommandInput,
  ParameterNotFound,
  PutParameterCommand,
  type PutParameterCommandInput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * Parameter Store behind a mocked SSM client, as the routing list adapters use it: each put is a new version, any
 * version is readable as `name:version`, an absent parameter is ParameterNotFound. `beforePut` runs just before
 * the next put lands: another writer's moment.
 */
export function fakeParameterStore(ssm: AwsClientStub<SSMClient>) {
  const versions = new Map<string, string[]>();
  const state: { beforePut?: () => void } = {};
  ssm.on(GetParameterCommand).callsFake((input: GetParameterCommandInput) => {
    const [name = '', version] = (input.Name ?? '').split(':');
    const stored = versions.get(name) ?? [];
    const at = version === undefined ? stored.length : Number(version);
    const value = stored[at - 1];
    if (value === undefined)
      throw new ParameterNotFound({ message: `${input.Name} not found`, $metadata: {} });
    return { Parameter: { Name: name, Type: 'StringList', Value: value, Version: at } };
  });
  ssm.on(PutParameterCommand).callsFake((input: PutParameterCommandInput) => {
    const hook = state.beforePut;
    state.beforePut = undefined;
    hook?.();
    const stored = versions.get(input.Name ?? '') ?? [];
    stored.push(input.Value ?? '');
    versions.set(input.Name ?? '', stored);
    return { Version: stored.length, Tier: 'Standard' };
  });
  return {
    /** Each parameter's values, oldest version first. */
    versions,
    set beforePut(hook: () => void) {
      state.beforePut = hook;
    },
  };
}

import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { isServiceName } from '../domain/patterns';
import type { ServiceConfigs, VersionRegistry } from '../domain/ports';
import { parseServiceConfig } from '../domain/service-config';

/** `<path>/services/<service>`: one JSON document per service, parsed strictly. */
export function serviceConfigParameter(path: string, service: string): string {
  return `${path}/services/${service}`;
}

/** `<path>/versions/<service>`: a String parameter whose history (GetParameterHistory) is the deploy history. */
export function versionParameter(path: string, service: string): string {
  return `${path}/versions/${service}`;
}

async function getValue(client: SSMClient, name: string): Promise<string | null> {
  try {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Value ?? null;
  } catch (error) {
    if (error instanceof ParameterNotFound) return null;
    throw error;
  }
}

/** Service configurations from Parameter Store. A name that is not a service name is never looked up. */
export function ssmServiceConfigs(client: SSMClient, path: string): ServiceConfigs {
  return {
    async get(service) {
      if (!isServiceName(service)) return null;
      const text = await getValue(client, serviceConfigParameter(path, service));
      if (text === null) return null;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        return { ok: false, errors: [`(configuration): not valid JSON (${(error as Error).message})`] };
      }
      return parseServiceConfig(json);
    },
    async exists(service) {
      return (
        isServiceName(service) && (await getValue(client, serviceConfigParameter(path, service))) !== null
      );
    },
  };
}

export function ssmVersionRegistry(client: SSMClient, path: string): VersionRegistry {
  return {
    async current(service) {
      if (!isServiceName(service)) return null;
      return getValue(client, versionParameter(path, service));
    },
    async record(service, version) {
      await client.send(
        new PutParameterCommand({
          Name: versionParameter(path, service),
          Value: version,
          Type: 'String',
          Overwrite: true,
          Description: `Version ${service}'s stable fleet runs; the parameter history is its deploy history.`,
        }),
      );
    },
  };
}

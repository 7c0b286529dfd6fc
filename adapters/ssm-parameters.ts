import {
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { isServiceName } from '../domain/patterns';
import type { ListedService, ServiceConfigs, VersionRegistry } from '../domain/ports';
import { type ConfigResult, parseServiceConfig } from '../domain/service-config';

/** GetParametersByPath returns at most 10 parameters a call (its MaxResults range is 1-10). */
const PAGE_SIZE = 10;
/**
 * Pages read at most for one listing: 200 services in 20 calls, well inside a Slack request's 3 s. Past it the
 * list says it is incomplete rather than making a person wait for an answer Slack no longer shows.
 */
export const MAX_LIST_PAGES = 20;

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

function parseStored(text: string): ConfigResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`(configuration): not valid JSON (${(error as Error).message})`] };
  }
  return parseServiceConfig(json);
}

/**
 * Every parameter directly under `<path>/services/`, page by page. A page may hold fewer than PAGE_SIZE, even none,
 * and still have a next one (SSM answers "on a best-effort basis"), so only the token ends the loop.
 */
async function listServices(client: SSMClient, path: string) {
  const prefix = serviceConfigParameter(path, '');
  const services: ListedService[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const answer = await client.send(
      new GetParametersByPathCommand({
        Path: prefix.slice(0, -1),
        Recursive: false,
        MaxResults: PAGE_SIZE,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const { Name, Value } of answer.Parameters ?? []) {
      const service = Name?.slice(prefix.length) ?? '';
      // A parameter no command could name (a stray `Orders_API`) is not a service `/canary` can offer.
      if (Name?.startsWith(prefix) && isServiceName(service))
        services.push({ service, config: parseStored(Value ?? '') });
    }
    token = answer.NextToken;
    if (!token) break;
  }
  services.sort((a, b) => a.service.localeCompare(b.service));
  return { services, complete: !token };
}

/** Service configurations from Parameter Store. A name that is not a service name is never looked up. */
export function ssmServiceConfigs(client: SSMClient, path: string): ServiceConfigs {
  return {
    async get(service) {
      if (!isServiceName(service)) return null;
      const text = await getValue(client, serviceConfigParameter(path, service));
      return text === null ? null : parseStored(text);
    },
    list: () => listServices(client, path),
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

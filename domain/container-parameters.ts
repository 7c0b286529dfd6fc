import { registryLoginOf } from './container-spec';
import type { ServiceConfig } from './service-config';

/**
 * The container's settings as the SSM documents take them (hosts/document-parameters.ts): lists are
 * comma-separated items, each matching its parameter's pattern. Environment values may hold any character, so
 * they travel base64-encoded and are decoded on the host into one `docker run` argument each. Secrets travel
 * as references only: the host reads their values when the container starts.
 */
export function containerParameters(config: ServiceConfig): Record<string, string> {
  const { container } = config;
  const volumes = container.volumes.map((v) => `${v.source}:${v.target}:${v.readOnly ? 'ro' : 'rw'}`);
  return {
    RegistryLogin: registryLoginOf(config.image),
    Environment: Object.entries(container.environment)
      .map(([name, value]) => `${name}=${base64(value)}`)
      .join(','),
    Secrets: Object.entries(container.secrets)
      .map(([name, reference]) => `${name}=${reference}`)
      .join(','),
    Volumes: volumes.join(','),
    LogDriver: container.logging?.driver ?? '',
    LogOptions: Object.entries(container.logging?.options ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(','),
    ContainerUser: container.user ?? '',
    Memory: container.memoryMiB === undefined ? '' : String(container.memoryMiB),
    Cpus: container.cpus === undefined ? '' : String(container.cpus),
    // Words joined by commas: no document parameter holds a space (the host joins them back).
    HealthCommand: container.healthCommand?.split(' ').join(',') ?? '',
    DockerOptions: container.options.join(','),
  };
}

/** UTF-8, then standard base64 (what coreutils' `base64 -d` reads), without Node's Buffer: the domain runs anywhere. */
function base64(value: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

import type { ServiceConfigs } from '../domain/ports';
import type { ServiceConfig } from '../domain/service-config';

/**
 * Service configurations held in memory, already parsed: the sandbox's and the tests' stand-in for Parameter Store.
 * Each is found under its own `service`.
 *
 * @example
 * const configs = memoryServiceConfigs([serviceConfig()]);
 * await configs.exists('orders-api'); // true
 */
export function memoryServiceConfigs(configs: Iterable<ServiceConfig>): ServiceConfigs {
  const byName = new Map([...configs].map((config) => [config.service, config]));
  const found = (name: string) => byName.get(name);
  return {
    get: async (name) => {
      const config = found(name);
      return config ? { ok: true, config } : null;
    },
    exists: async (name) => found(name) !== undefined,
    list: async () => ({
      services: [...byName.values()]
        .sort((a, b) => a.service.localeCompare(b.service))
        .map((config) => ({ service: config.service, config: { ok: true, config } })),
      complete: true,
    }),
  };
}

import type { ServiceConfig, ServiceConfigInput } from '../../domain/service-config';
import type { Release } from '../../domain/types';
import { APPROVER, configInput, REQUESTER, serviceConfig } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

export const requester = { kind: 'person', id: REQUESTER } as const;
export const approver = { kind: 'person', id: APPROVER } as const;
export type Harness = ReturnType<typeof harness>;

/** The chain a group release walks: front calls orders-api, which calls payments, then whatever comes next. */
export const CHAIN = ['front', 'orders-api', 'payments', 'ledger'] as const;
export const CURRENT: Readonly<Record<string, string>> = {
  front: '2.0.0',
  'orders-api': '1.4.1',
  payments: '2.0.9',
  ledger: '0.9.0',
};
export const NEXT: Readonly<Record<string, string>> = {
  front: '2.0.1',
  'orders-api': '1.4.2',
  payments: '2.1.0',
  ledger: '0.9.1',
};

/** A member of the chain as stored: its own fleets, canary ELB and alarms, named after it. */
export function memberConfigInput(
  service: string,
  overrides: Partial<ServiceConfigInput> = {},
): ServiceConfigInput {
  const base = configInput();
  return {
    ...base,
    service,
    image: { ...base.image, repository: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${service}` },
    fleets: {
      stable: { tags: { 'canary-agent:fleet': `${service}-stable` } },
      canary: { tags: { 'canary-agent:fleet': `${service}-canary` } },
    },
    canaryStack: { elbHost: `${service}-canary-123.eu-west-1.elb.amazonaws.com` },
    alarms: { canary: [`${service}-canary-5xx`], stable: [`${service}-stable-health`] },
    ...overrides,
  };
}

export const memberConfig = (service: string, overrides: Partial<ServiceConfigInput> = {}): ServiceConfig =>
  serviceConfig(memberConfigInput(service, overrides));

/** A harness that knows the first `size` services of the chain, at their current versions. */
export function groupHarness(size: number, configure: (config: ServiceConfig) => ServiceConfig = (c) => c) {
  const services = CHAIN.slice(0, size);
  return {
    h: harness({
      configs: services.map((s) => configure(memberConfig(s))),
      versions: Object.fromEntries(services.map((s) => [s, CURRENT[s] ?? '1.0.0'])),
    }),
    services,
  };
}

export async function startGroupOf(h: Harness, services: readonly string[], steps = [10, 100]) {
  const started = await h.service.startGroup({
    versions: services.map((service) => ({ service, version: NEXT[service] ?? '1.0.1' })),
    requestedBy: requester,
    steps,
  });
  if (!started.ok) throw new Error(started.message);
  return started.release.id;
}

/** The commands sent, as `operation member`. */
export const sent = (h: Harness) =>
  h.commands.map((c) => `${c.operation.operation} ${c.operation.parameters.Service}`);

/** What each member runs, as the registry says after the release. */
export const registry = (h: Harness, services: readonly string[]) =>
  Object.fromEntries(services.map((s) => [s, h.versions.get(s)]));

export const stateOf = async (h: Harness, id: string): Promise<Release['state']> => (await h.load(id)).state;

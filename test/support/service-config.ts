import {
  type ServiceConfig,
  type ServiceConfigInput,
  serviceConfigSchema,
} from '../../domain/service-config';

export const APPROVER = 'U0APPROVER1';
export const SECOND_APPROVER = 'U0APPROVER2';
export const REQUESTER = 'U0REQUESTER';
export const STRANGER = 'U0STRANGER1';

/** A complete, valid configuration for `orders-api`; tests change what they are about. */
export function configInput(overrides: Partial<ServiceConfigInput> = {}): ServiceConfigInput {
  return {
    service: 'orders-api',
    image: { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api', containerPort: 8080 },
    fleets: {
      stable: { tags: { 'canary-agent:fleet': 'orders-api-stable' } },
      canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } },
    },
    canaryStack: { elbHost: 'orders-canary-123.eu-west-1.elb.amazonaws.com' },
    mirror: { readOnlyAcknowledgedBy: 'U0REQUESTER on 2026-11-01' },
    alarms: { canary: ['orders-api-canary-5xx'], stable: ['orders-api-stable-health'] },
    approvals: { users: [APPROVER, SECOND_APPROVER, REQUESTER] },
    slack: { channel: 'C0RELEASES' },
    ...overrides,
  };
}

export function serviceConfig(overrides: Partial<ServiceConfigInput> = {}): ServiceConfig {
  return serviceConfigSchema.parse(configInput(overrides));
}

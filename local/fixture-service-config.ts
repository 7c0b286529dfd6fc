import { type ServiceConfig, type ServiceConfigInput, serviceConfigSchema } from '../domain/service-config';

/** People and a service configuration the tests and the bench share: `orders-api` with three approvers. */
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

/** The ALB of `orders-api`'s two fleets, as the canary analysis names them (CloudWatch's dimension values). */
export const ANALYSED_ALB = {
  type: 'alb',
  canary: {
    loadBalancer: 'app/orders-canary/50dc6c495c0c9188',
    targetGroup: 'targetgroup/orders-canary/73e2d6bc24d8a067',
  },
  stable: { loadBalancer: 'app/orders/0123456789abcdef', targetGroup: 'targetgroup/orders/0000000000000b1e' },
} as const;

const elb = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
/** The blue/green side of `orders-api`: one listener, a target group, fleet and 5XX alarm per colour. */
export const BLUE_GREEN = {
  listenerArn: `${elb}:listener/app/orders-api/0123456789abcdef/0123456789abcdef`,
  /** A rule of that listener, for a load balancer shared with other services (not used unless a test sets it). */
  ruleArn: `${elb}:listener-rule/app/orders-api/0123456789abcdef/0123456789abcdef/00000000000000aa`,
  blue: {
    targetGroupArn: `${elb}:targetgroup/orders-api-blue/00000000000000b1`,
    tags: { 'canary-agent:fleet': 'orders-api-blue' },
    alarms: ['orders-api-blue-5xx'],
  },
  green: {
    targetGroupArn: `${elb}:targetgroup/orders-api-green/00000000000000e2`,
    tags: { 'canary-agent:fleet': 'orders-api-green' },
    alarms: ['orders-api-green-5xx'],
  },
} as const;

/**
 * `orders-api` as a blue/green service: no fleets.stable, since the live colour is its stable fleet. `route` may
 * name a listener rule, for a load balancer shared with other services.
 */
export function blueGreenConfig(
  overrides: Partial<ServiceConfigInput> = {},
  route: { readonly ruleArn?: string } = {},
): ServiceConfig {
  return serviceConfig({
    fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
    blueGreen: {
      listenerArn: BLUE_GREEN.listenerArn,
      ...route,
      blue: { ...BLUE_GREEN.blue, alarms: [...BLUE_GREEN.blue.alarms] },
      green: { ...BLUE_GREEN.green, alarms: [...BLUE_GREEN.green.alarms] },
    },
    ...overrides,
  });
}

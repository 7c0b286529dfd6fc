import { type ServiceConfig, serviceConfigSchema } from '../domain/service-config';

/*
 * The sandbox's chain (SandboxOptions.chain): `front` calls `orders-api`, which calls `payments`, each through the
 * next one's stable load balancer, where that service's routing proxy sends tagged requests on to its canary.
 */

/** The chain's services in the order a request travels: the first is the entry, which colours requests. */
export const CHAIN_SERVICES = ['front', 'orders-api', 'payments'] as const;
export type ChainService = (typeof CHAIN_SERVICES)[number];

/** The versions the chain's other services run when the sandbox starts (orders-api's is INITIAL_VERSION). */
export const CHAIN_INITIAL_VERSIONS = { front: '1.9.0', payments: '2.0.0' } as const;

/** Each of the other services' canary 5XX alarm, as canary-orders-api-5xx is orders-api's. */
export const CHAIN_CANARY_ALARMS = { front: 'canary-front-5xx', payments: 'canary-payments-5xx' } as const;

/** Each of the other services' stable target group: promotions drain its hosts out of its ELB batch by batch. */
export const CHAIN_TARGET_GROUPS = {
  front: 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/front-stable/00000000000f7047',
  payments: 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/payments-stable/0000000000009a75',
} as const;

/** The same thresholds as orders-api's canary alarm (sandbox-config.ts): more than one 5XX in a second. */
export const CHAIN_ALARM_THRESHOLDS: Readonly<Record<string, number>> = {
  [CHAIN_CANARY_ALARMS.front]: 1,
  [CHAIN_CANARY_ALARMS.payments]: 1,
};

/**
 * One routing section for the whole chain: every member must read the tag the entry sets (a member with another
 * tag header would route every coloured request to stable), and the services carry the same two headers on.
 */
export const CHAIN_ROUTING = {
  stickyCookie: 'uid',
  testerHeader: 'x-canary',
  testerValue: 'always',
  tagHeader: 'x-canary-tag',
  tagValue: 'canary',
} as const;

/** The chain as a configured group on its entry, `front`: promoted downstream first (the default order). */
export const CHECKOUT_GROUP = { name: 'checkout', downstream: ['orders-api', 'payments'] } as const;

/** The environment a member's container gets: who it is, whom it calls, and the headers its code carries on. */
export function chainEnvironment(service: ChainService, downstreamUrl?: string): Record<string, string> {
  return {
    SERVICE_NAME: service,
    TAG_HEADER: CHAIN_ROUTING.tagHeader,
    TESTER_HEADER: CHAIN_ROUTING.testerHeader,
    ...(downstreamUrl === undefined ? {} : { DOWNSTREAM_URL: downstreamUrl }),
  };
}

/** orders-api as a member of the chain: its own configuration, calling `payments` and routing by the chain's tag. */
export function ordersInChain(config: ServiceConfig, paymentsUrl: string): ServiceConfig {
  return serviceConfigSchema.parse({
    ...config,
    container: {
      ...config.container,
      environment: { ...config.container.environment, ...chainEnvironment('orders-api', paymentsUrl) },
    },
    routing: { ...config.routing, ...CHAIN_ROUTING },
  });
}

/**
 * `front` or `payments`: a stable fleet of two hosts behind a target group and a standing canary host (no
 * blue/green), released by
 * weighted steps (not mirrored: `payments` takes money, and neither is acknowledged read-only), judged by its
 * canary alarm alone, with the approvers and channel of orders-api (`like`).
 */
export function chainServiceConfig(
  service: Exclude<ChainService, 'orders-api'>,
  like: ServiceConfig,
  downstreamUrl?: string,
): ServiceConfig {
  return serviceConfigSchema.parse({
    service,
    image: { repository: `registry.sandbox.local/${service}`, containerPort: 8080, healthPath: '/healthz' },
    container: { environment: chainEnvironment(service, downstreamUrl) },
    fleets: {
      stable: {
        tags: { 'canary-agent:fleet': `${service}-stable` },
        targetGroupArns: [CHAIN_TARGET_GROUPS[service]],
      },
      canary: { tags: { 'canary-agent:fleet': `${service}-canary` } },
    },
    canaryStack: { elbHost: '127.0.0.1' },
    proxy: { driver: 'nginx', listenPort: 8000, servicePort: 8080, readTimeoutSeconds: 30 },
    steps: { defaultSteps: [10, 50, 100] },
    routing: CHAIN_ROUTING,
    // The shortest window the schema allows, as orders-api's (sped up by the sandbox's timers).
    validation: { defaultWindowSeconds: 180, minWindowSeconds: 60 },
    alarms: { canary: [CHAIN_CANARY_ALARMS[service]], stable: [] },
    approvals: { required: true, users: like.approvals.users, fourEyes: true },
    slack: { channel: like.slack.channel },
    hostOperationTimeoutSeconds: 60,
    // The entry names the chain: `/canary start group checkout orders-api=1.4.2 …` releases it as one.
    ...(service === 'front' ? { groups: [CHECKOUT_GROUP] } : {}),
  });
}

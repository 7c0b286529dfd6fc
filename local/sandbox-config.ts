import { type ServiceConfig, serviceConfigSchema } from '../domain/service-config';

/** The people in the sandbox's channel: a requester and two approvers. */
export const SANDBOX_USERS = [
  { id: 'UANA0SANDBOX', name: 'ana (requester)' },
  { id: 'UBEN0SANDBOX', name: 'ben (approver)' },
  { id: 'UCAT0SANDBOX', name: 'cat (approver)' },
  { id: 'UDAN0SANDBOX', name: 'dan (not an approver)' },
] as const;

export const SANDBOX_CHANNEL = 'CSANDBOX01';
export const CANARY_ALARM = 'canary-orders-api-5xx';
/** The alarm on the routing proxies' failovers (local/failover-log.ts feeds it). */
export const FAILOVER_ALARM = 'canary-orders-api-failover';
export const INITIAL_VERSION = '1.4.1';

const arn = (resource: string) => `arn:aws:elasticloadbalancing:local:000000000000:${resource}`;
/** The service's load balancer listener and its two colours (the sandbox's ELB stands in for them). */
export const BLUE_GREEN = {
  listenerArn: arn('listener/app/orders-api/0123456789abcdef/fedcba9876543210'),
  blue: {
    targetGroupArn: arn('targetgroup/orders-api-blue/0000000000000b1e'),
    alarm: 'canary-orders-api-blue-5xx',
  },
  green: {
    targetGroupArn: arn('targetgroup/orders-api-green/00000000000009ee'),
    alarm: 'canary-orders-api-green-5xx',
  },
} as const;

/** An ELB resource ARN's tail, as CloudWatch spells the LoadBalancer and TargetGroup dimension values. */
const dimensionOf = (resourceArn: string, pattern: RegExp) => pattern.exec(resourceArn)?.[0] ?? resourceArn;
const LB_DIMENSION = /app\/[^/]+\/[0-9a-f]{16}/;
const TG_DIMENSION = /targetgroup\/[^/]+\/[0-9a-f]{16}/;

/**
 * The sandbox load balancers' CloudWatch dimensions (ALB, AWS/ApplicationELB), which the local GetMetricData
 * answers for: the service's ELB (the listener's load balancer) by each colour's target group, and the canary
 * stack's ELB by its one target group.
 */
export const SANDBOX_ELB_DIMENSIONS = {
  stable: {
    loadBalancer: dimensionOf(BLUE_GREEN.listenerArn, LB_DIMENSION),
    blue: dimensionOf(BLUE_GREEN.blue.targetGroupArn, TG_DIMENSION),
    green: dimensionOf(BLUE_GREEN.green.targetGroupArn, TG_DIMENSION),
  },
  canary: {
    loadBalancer: 'app/orders-api-canary/00000000000ca4a1',
    targetGroup: 'targetgroup/orders-api-canary/00000000000ca4a1',
  },
} as const;

/**
 * The sandbox 5XX alarms' thresholds: each fires when a 1-s period's Sum of HTTPCode_Target_5XX_Count is above
 * its threshold. The canary's fires on two 5XX in a second: a `-bad` canary (every request a 500) reaches that
 * from 2 requests a second (10% of `npm start`'s users in steps), while a `-flaky` one (one 500 in every 50
 * requests) cannot below 50 a second and is left to the canary analysis. The colours' alarms count two hosts,
 * each with its own one-in-50, so they fire above two.
 */
export const SANDBOX_ALARM_THRESHOLDS: Readonly<Record<string, number>> = {
  [CANARY_ALARM]: 1,
  [BLUE_GREEN.blue.alarm]: 2,
  [BLUE_GREEN.green.alarm]: 2,
  [FAILOVER_ALARM]: 0,
};

/**
 * The embedded service the sandbox releases: `orders-api` on a blue and a green fleet of two hosts each (blue live
 * at first, so blue is the stable fleet) and one canary host; mirrored with nginx's own mirror module (Envoy
 * cannot run here), a high mirror share so a faulty canary is caught in seconds, and the shortest validation
 * window the schema allows (sped up by the sandbox's timers).
 */
export function sandboxServiceConfig(
  slack: { channel: string; approvers: readonly string[] } = {
    channel: SANDBOX_CHANNEL,
    approvers: ['UBEN0SANDBOX', 'UCAT0SANDBOX'],
  },
): ServiceConfig {
  return serviceConfigSchema.parse({
    service: 'orders-api',
    image: { repository: 'registry.sandbox.local/orders-api', containerPort: 8080, healthPath: '/healthz' },
    fleets: { canary: { tags: { 'canary-agent:fleet': 'orders-api-canary' } } },
    blueGreen: {
      listenerArn: BLUE_GREEN.listenerArn,
      blue: {
        targetGroupArn: BLUE_GREEN.blue.targetGroupArn,
        tags: { 'canary-agent:fleet': 'orders-api-blue' },
        alarms: [BLUE_GREEN.blue.alarm],
      },
      green: {
        targetGroupArn: BLUE_GREEN.green.targetGroupArn,
        tags: { 'canary-agent:fleet': 'orders-api-green' },
        alarms: [BLUE_GREEN.green.alarm],
      },
    },
    canaryStack: { elbHost: '127.0.0.1' },
    proxy: { driver: 'nginx', listenPort: 8000, servicePort: 8080, readTimeoutSeconds: 30 },
    mirror: {
      defaultPercent: 50,
      maxPercent: 100,
      readOnlyAcknowledgedBy: 'sandbox: orders-api GETs are read-only',
    },
    // Three minutes (9 s at 20x): the analysis judges at 1 and 2 minutes and at the end, on 1-second periods of
    // the load balancers' records. A 60-second window holds about 3 s of traffic, too little to tell a slow or
    // flaky canary from stable.
    validation: { defaultWindowSeconds: 180, minWindowSeconds: 60 },
    alarms: { canary: [CANARY_ALARM], stable: [], failover: FAILOVER_ALARM },
    approvals: { required: true, users: slack.approvers, fourEyes: true },
    slack: { channel: slack.channel },
    hostOperationTimeoutSeconds: 60,
    // Two minutes (6 s at 20x) of the live colour's alarm after the last batch: a version that fails on the whole
    // fleet goes back on its own.
    promotion: { bakeSeconds: 120 },
    analysis: sandboxAnalysis(),
  });
}

/**
 * The canary analysis of the sandbox's releases: its load balancers' records as ALB metrics (local/sandbox-metrics.ts),
 * one datapoint a second. At 20 requests a second `npm start` gives a mirrored canary 10 a second, so 20 requests
 * make an interval worth judging; latency must be 50% worse to fail, because on a loaded 2-core machine the two
 * paths' latencies wander by tens of percent, while a -slow build is three times slower.
 */
function sandboxAnalysis() {
  const { stable, canary } = SANDBOX_ELB_DIMENSIONS;
  const of = (targetGroup: string) => ({ loadBalancer: stable.loadBalancer, targetGroup });
  return {
    loadBalancer: {
      type: 'alb',
      canary: { loadBalancer: canary.loadBalancer, targetGroup: canary.targetGroup },
      blue: of(stable.blue),
      green: of(stable.green),
    },
    metrics: [
      { preset: 'requestCount' },
      { preset: 'errorRate' },
      { preset: 'latencyP50', tolerance: 0.5 },
      { preset: 'latencyP99', tolerance: 0.5 },
    ],
    minimumRequests: 20,
    periodSeconds: 1,
  } as const;
}

/**
 * Strict patterns for every value that may end up in a shell on a host, a resource name or a Slack message.
 * Anything that reaches a host is checked against these first, and again by the SSM documents'
 * `allowedPattern`, so a value that passes here passes there too (test/domain/patterns.test.ts).
 */
export const patterns = {
  /** `orders-api`: lower-case words joined by single hyphens, 2 to 40 characters. */
  service: /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/,
  /** A Docker tag: `1.4.2`, `v2025.11.3-rc1`, `sha-3f9c2e1`. */
  version: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  /** A DNS host name such as an ELB's `canary-orders-123.eu-west-1.elb.amazonaws.com`. */
  hostName: /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/,
  /** A Docker image repository without tag: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api`. */
  imageRepository:
    /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?(?::[0-9]{1,5})?(?:\/[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)*$/,
  /** An EC2 tag key or value as the agent accepts them (a subset of what EC2 allows, no spaces). */
  tagKey: /^[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,127}$/,
  tagValue: /^[A-Za-z0-9_.:/=+@-]{1,255}$/,
  instanceId: /^(?:i|mi)-[0-9a-f]{8,17}$/,
  /** An HTTP path for health checks: `/healthz`, `/internal/health`. */
  httpPath: /^\/[A-Za-z0-9._~/-]{0,127}$/,
  slackUserId: /^[UW][A-Z0-9]{2,20}$/,
  slackGroupId: /^S[A-Z0-9]{2,20}$/,
  slackChannelId: /^[CG][A-Z0-9]{2,20}$/,
  /** An HTTP header or cookie name or a simple value: RFC 7230 token characters without the risky ones. */
  httpToken: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
  /**
   * A header the routing proxy matches on: letters, digits and hyphens. nginx reads a header as `$http_<name>` and
   * by default drops headers with `_` or `.` in their names, so those could never match there.
   */
  headerName: /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/,
  /** A cookie name or a header/cookie value the routing proxy matches on: no `.`, so it is its own regex. */
  routingToken: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
  alarmName: /^[A-Za-z0-9][A-Za-z0-9 ._:/()#-]{0,254}$/,
  /** An Application or Network Load Balancer listener: `arn:aws:elasticloadbalancing:…:listener/app/web/…/…`. */
  listenerArn:
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener\/(?:app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
  /** A rule of such a listener: `arn:aws:elasticloadbalancing:…:listener-rule/app/web/…/…/…`. */
  listenerRuleArn:
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener-rule\/(?:app|net)\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
  /** A target group: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-blue/0123456789abcdef`. */
  targetGroupArn:
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/,
} as const;

export const SERVICE_NAME_MAX = 40;

/** True when `value` is a valid service name (pattern and length). */
export function isServiceName(value: string): boolean {
  return value.length >= 2 && value.length <= SERVICE_NAME_MAX && patterns.service.test(value);
}

/** True when `value` is a valid version (Docker tag). */
export function isVersion(value: string): boolean {
  return patterns.version.test(value);
}

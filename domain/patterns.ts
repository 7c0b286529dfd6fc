// Pieces several patterns share: the colouring parameter's pattern is made of the very patterns of its rules.
const HEADER_NAME = '[A-Za-z0-9][A-Za-z0-9-]{0,63}';
const ROUTING_TOKEN = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}';
const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const AVAILABILITY_ZONE = '[a-z]{2}(?:-[a-z0-9]+){2,6}';
/**
 * One colouring rule in the shift-traffic parameter; `:stable` sends what it matches to stable. Its host names are
 * only shaped here, the configuration checks each label: the document must stay under SSM's 64 KB.
 */
const COLOUR_RULE =
  `(?:header:${HEADER_NAME}=${ROUTING_TOKEN}|cookie:${ROUTING_TOKEN}=${ROUTING_TOKEN}` +
  `|host:[a-z0-9][a-z0-9.-]{0,251}[a-z0-9]|hostPrefix:[a-z0-9][a-z0-9.-]{0,251}\\.|zone:${AVAILABILITY_ZONE})(?::stable)?`;

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
  /** An image in Amazon ECR: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api`. */
  ecrRepository: /^[0-9]{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\//,
  // The container's settings (domain/container-spec.ts). None admits a quote, `$`, `;`, `|`, `&`, `<`, `>`, a
  // backtick, a comma or a space, but the health command's single spaces.
  environmentName: /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
  /** An SSM parameter name or ARN, or a Secrets Manager secret ARN. */
  secretReference:
    /^(?:arn:aws[a-z-]{0,10}:(?:ssm:[a-z0-9-]{1,20}:[0-9]{12}:parameter|secretsmanager:[a-z0-9-]{1,20}:[0-9]{12}:secret:)[A-Za-z0-9/_+=.@-]{1,512}|\/?[A-Za-z0-9_.-][A-Za-z0-9_./-]{0,1010})$/,
  containerPath: /^\/[A-Za-z0-9._/-]{0,254}$/,
  volumeName: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
  logDriver: /^[a-z0-9][a-z0-9_.-]{0,63}$/,
  logOptionKey: /^[a-z0-9][a-z0-9_.-]{0,63}$/,
  logOptionValue: /^[A-Za-z0-9_./:#-]{1,256}$/,
  containerUser: /^(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10})(?::(?:[a-z_][a-z0-9_-]{0,31}|[0-9]{1,10}))?$/,
  healthCommand: /^[A-Za-z0-9_./:=@%+-]{1,256}(?: [A-Za-z0-9_./:=@%+-]{1,256}){0,31}$/,
  /** The `docker run` options a service may add (domain/container-spec.ts DOCKER_OPTIONS_HELP). */
  dockerOption:
    /^(?:--init|--read-only|--cap-(?:drop|add)=[A-Z_]{1,32}|--security-opt=no-new-privileges|--tmpfs=\/[A-Za-z0-9._/-]{0,254}|--ulimit=[a-z]{1,16}=-?[0-9]{1,10}(?::-?[0-9]{1,10})?|--shm-size=[1-9][0-9]{0,5}[kmg]|--stop-timeout=[0-9]{1,4}|--pids-limit=[1-9][0-9]{0,6})$/,
  /** A team's own deploy document, after the agent's `<prefix>-custom-` (SSM document names). */
  customDocument: /^[A-Za-z0-9_.-]{1,64}$/,
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
  headerName: new RegExp(`^${HEADER_NAME}$`),
  /** A cookie name or a header/cookie value the routing proxy matches on: no `.`, so it is its own regex. */
  routingToken: new RegExp(`^${ROUTING_TOKEN}$`),
  /** Leading labels of a host name, each with its dot (a colouring rule's `hostPrefix`): `gray.`, `gray.eu.`. */
  hostPrefix: new RegExp(`^(?=.{2,253}$)(?:${DNS_LABEL}\\.)+$`),
  /** An EC2 Availability Zone's name: `eu-west-1a`, or a Local Zone's `us-east-1-bos-1a`. */
  availabilityZone: new RegExp(`^${AVAILABILITY_ZONE}$`),
  /**
   * The colouring rules as the shift-traffic parameter `ColourRules` (domain/colouring.ts colourRulesParameter):
   * up to 8 of `header:<name>=<value>`, `cookie:<name>=<value>`, `host:<DNS name>`, `hostPrefix:<labels.>`,
   * `zone:<Availability Zone>`, each maybe followed by `:stable`, joined by commas; empty for none.
   */
  colourRules: new RegExp(`^(?:${COLOUR_RULE}(?:,${COLOUR_RULE}){0,7})?$`),
  /** A cookie in a live routing list (domain/routing-list-entries.ts): `name=value`, each a routing token. */
  listCookie: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}=[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
  /** A client network in a live routing list: an IPv4 address or CIDR block, `203.0.113.7`, `10.1.0.0/16`. */
  clientNetwork:
    /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\/(?:3[0-2]|[12]?[0-9]))?$/,
  alarmName: /^[A-Za-z0-9][A-Za-z0-9 ._:/()#-]{0,254}$/,
  /** A CloudFormation template in S3: `https://my-bucket.s3.eu-west-1.amazonaws.com/canary/orders-api.yml` (or path style). */
  templateUrl:
    /^https:\/\/(?:[a-z0-9][a-z0-9.-]{1,62}\.)?s3[a-z0-9.-]*\.amazonaws\.com(?:\.cn)?\/[A-Za-z0-9!_.*'()/-]{1,1000}$/,
  /** A hook's endpoint: HTTPS only, no credentials in it, no spaces or quotes. */
  hookUrl:
    /^https:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?(?:\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$/,
  /** A CloudFormation template's parameter name. */
  stackParameterKey: /^[A-Za-z0-9]{1,255}$/,
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

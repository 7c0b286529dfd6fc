import * as z from 'zod';
import { analysisConfigSchema, analysisNamesEveryFleet, describeIssue } from './analysis-config';
import { buildCanaryStackSchema, whereTheCanaryRuns } from './canary-stack-config';
import { buildContainerSchema, buildDeploySchema, buildImageSchema } from './container-spec';
import { buildGroupsSchema } from './group';
import { buildHooksSchema } from './hooks';
import { isServiceName, patterns } from './patterns';
import { routingConfigSchema } from './routing-config';

/**
 * The schema is built on first parse, not when the module loads: a Lambda function answers requests that read no
 * configuration (the Slack function's cold start to a `/canary status` pays only what it uses).
 */
function buildServiceConfigSchema() {
  const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

  const tagSelector = z
    .record(
      z.string().regex(patterns.tagKey, 'a tag key of letters, digits and _.:/=+@-'),
      z.string().regex(patterns.tagValue, 'a tag value of letters, digits and _.:/=+@-'),
    )
    .refine((tags) => Object.keys(tags).length >= 1 && Object.keys(tags).length <= 5, {
      message: 'between 1 and 5 EC2 tags, e.g. {"canary-agent:fleet": "orders-api-stable"}',
    });

  const percent = z.number().min(0.01).max(100);

  const slackUser = z.string().regex(patterns.slackUserId, 'a Slack user id such as "U024BE7LH"');
  const slackGroup = z.string().regex(patterns.slackGroupId, 'a Slack user group id such as "S0614TZR7"');
  const slackChannel = z.string().regex(patterns.slackChannelId, 'a Slack channel id such as "C0123ABCD"');

  const alarmNames = z.array(z.string().regex(patterns.alarmName, 'a CloudWatch alarm name'));

  /** One colour of a blue/green service: a full-size fleet behind its own target group, judged by its own alarms. */
  const colour = z.strictObject({
    targetGroupArn: z.string().regex(patterns.targetGroupArn, 'a target group ARN'),
    tags: tagSelector,
    /** The alarms that judge this colour while it is live (its target group's 5XX and latency alarms). */
    alarms: alarmNames.min(1).max(20),
  });

  /**
   * One service's release policy, as stored (JSON) in SSM Parameter Store under
   * `<prefix>/services/<name>`. Parsed strictly: a misspelt key is an error, never a silent default.
   */

  return z
    .strictObject({
      service: z
        .string()
        .refine(isServiceName, 'a service name such as "orders-api" (a-z, 0-9, hyphens)')
        // `/canary freeze all` means every service, so no service may be called that.
        .refine((name) => name !== 'all', '"all" is reserved (`/canary freeze all`); choose another name'),
      image: buildImageSchema(),
      /** How the container runs: environment, secrets, volumes, logging, limits (domain/container-spec.ts). */
      container: buildContainerSchema().prefault({}),
      /** A deploy of the team's own, run in place of the built-in Docker steps (domain/container-spec.ts). */
      deploy: buildDeploySchema().optional(),
      fleets: z.strictObject({
        /** Left out for a blue/green service: whichever colour is live is its stable fleet. */
        stable: z
          .strictObject({
            tags: tagSelector,
            /**
             * The target groups the stable hosts serve behind: a promotion takes each batch out of all of them before
             * it touches it. Left out, nothing is drained. Classic Load Balancers have no target groups.
             */
            targetGroupArns: z
              .array(
                z
                  .string()
                  .regex(
                    patterns.targetGroupArn,
                    'a target group ARN (Classic Load Balancers are not supported: put the hosts in an ALB or NLB target group)',
                  ),
              )
              .min(1)
              .max(5)
              .optional(),
          })
          .optional(),
        /** The standing canary fleet; left out when each release creates its own (a temporary stack). */
        canary: z.strictObject({ tags: tagSelector }).optional(),
      }),
      /** Where the canary comes from: a standing fleet, the team's tooling, or a stack per release. */
      canaryStack: buildCanaryStackSchema(),
      proxy: z
        .strictObject({
          /** Which proxy mirrors on the stable hosts: Envoy, or nginx's own `mirror` module. */
          driver: z.enum(['envoy', 'nginx']).default('envoy'),
          listenPort: z.number().int().min(1).max(65535).default(80),
          servicePort: z.number().int().min(1).max(65535).default(8080),
          /** nginx's proxy timeouts, so that Envoy's can be made equal (nginx defaults: 60 s each). */
          connectTimeoutSeconds: seconds(1, 3600).default(60),
          readTimeoutSeconds: seconds(1, 3600).default(60),
          sendTimeoutSeconds: seconds(1, 3600).default(60),
        })
        .prefault({}),
      mirror: z
        .strictObject({
          defaultPercent: percent.default(10),
          minPercent: percent.default(1),
          maxPercent: percent.default(50),
          /**
           * Mirroring sends duplicate requests to a database both stacks share. It is refused unless someone
           * has confirmed the service is read-only or idempotent.
           */
          readOnlyAcknowledgedBy: z.string().min(1).optional(),
        })
        .prefault({})
        .refine((m) => m.minPercent <= m.defaultPercent && m.defaultPercent <= m.maxPercent, {
          message: 'minPercent <= defaultPercent <= maxPercent',
        }),
      steps: z
        .strictObject({
          /** The shares of users the canary gets, one step at a time, each held for its bake time with alarms quiet. */
          defaultSteps: z.array(z.number().min(0).max(100)).min(1).max(10).default([5, 25, 50, 100]),
          /** When true, a person approves every step; otherwise only once, before promotion. */
          approveEachStep: z.boolean().default(false),
        })
        .prefault({}),
      routing: routingConfigSchema,
      /**
       * Blue/green: two full-size fleets behind one listener, which forwards to one colour's target group. A
       * release deploys the idle colour, switches the listener to it, and switches it back on a rollback.
       */
      blueGreen: z
        .strictObject({
          listenerArn: z.string().regex(patterns.listenerArn, 'a load balancer listener ARN'),
          /** On a load balancer shared with other services: the listener rule whose forward action is switched. */
          ruleArn: z.string().regex(patterns.listenerRuleArn, 'a listener rule ARN').optional(),
          blue: colour,
          green: colour,
        })
        .refine((b) => b.blue.targetGroupArn !== b.green.targetGroupArn, {
          message: 'blue and green need different target groups',
        })
        .refine(
          (b) =>
            b.ruleArn === undefined ||
            b.ruleArn.replace(':listener-rule/', ':listener/').startsWith(`${b.listenerArn}/`),
          { message: 'ruleArn must be a rule of listenerArn', path: ['ruleArn'] },
        )
        .optional(),
      promotion: z
        .strictObject({
          /** Hosts promoted at once (Run Command MaxConcurrency): a count such as "2" or a share such as "25%". */
          batchSize: z
            .string()
            .regex(
              /^(?:[1-9][0-9]{0,3}|(?:100|[1-9][0-9]?)%)$/,
              'a host count such as "2" or a share such as "25%"',
            )
            .default('25%'),
          /** Failed hosts tolerated before the rest are not promoted (Run Command MaxErrors). */
          maxErrors: z
            .string()
            .regex(
              /^(?:0|[1-9][0-9]{0,3}|(?:100|[1-9][0-9]?)%)$/,
              'a count such as "0" or a share such as "10%"',
            )
            .default('0'),
          /** How long a batch may take to leave the load balancer: at least the target groups' deregistration delay. */
          drainTimeoutSeconds: seconds(30, 3900).default(600),
          /** How long a swapped batch may take to turn healthy in the target groups again. */
          healthyTimeoutSeconds: seconds(30, 3600).default(300),
          /**
           * After the last batch, how long the stable fleet's alarms still watch: an alarm puts the previous version
           * back, batch by batch, and the release succeeds only after. 0: no bake.
           */
          bakeSeconds: seconds(0, 86_400).default(0),
          /**
           * During the bake, also judge the promoted fleet on the service's `analysis` metrics against its own
           * figures over as long a span just before the release began (the previous version serving everyone).
           */
          bakeAnalysis: z.boolean().default(false),
        })
        .prefault({}),
      validation: z
        .strictObject({
          defaultWindowSeconds: seconds(60, 86_400).default(900),
          minWindowSeconds: seconds(60, 86_400).default(300),
          maxWindowSeconds: seconds(60, 86_400).default(7200),
          /**
           * A window that ends with a watched alarm in INSUFFICIENT_DATA (or not found) never passes: `hold` waits
           * for a person as inconclusive; `extendThenRollback` runs the window once more, then rolls back.
           */
          onNoData: z.enum(['hold', 'extendThenRollback']).default('hold'),
        })
        .prefault({})
        .refine(
          (v) => v.minWindowSeconds <= v.defaultWindowSeconds && v.defaultWindowSeconds <= v.maxWindowSeconds,
          {
            message: 'minWindowSeconds <= defaultWindowSeconds <= maxWindowSeconds',
          },
        ),
      alarms: z.strictObject({
        /**
         * The canary stack's ELB 5XX alarm (and any other alarm that judges the canary). A temporary stack adds the
         * alarms it outputs, so it may leave this empty.
         */
        canary: alarmNames.max(20),
        /** The stable fleet's health alarms, watched while it mirrors and after promotion (and the listener's, for blue/green). */
        stable: alarmNames.max(20).default([]),
        /**
         * The alarm on the routing proxies' failover count (README, "Failovers"): a request routed to the canary
         * that stable served is a canary failure its own load balancer never sees. Watched while users are routed.
         */
        failover: z.string().regex(patterns.alarmName, 'a CloudWatch alarm name').optional(),
      }),
      approvals: z
        .strictObject({
          /** When true, a person must press Promote after a clean validation window. */
          required: z.boolean().default(true),
          users: z.array(slackUser).default([]),
          groups: z.array(slackGroup).default([]),
          /** Four eyes: the person who started the release may not approve it. */
          fourEyes: z.boolean().default(false),
          timeoutSeconds: seconds(60, 7 * 86_400).default(86_400),
        })
        .prefault({}),
      /**
       * Who may start a release. No users and no groups: any Slack user may (the behaviour before this field).
       * `pipelines` left out: any pipeline may; listed: only those (a pipeline is not a Slack user).
       */
      requesters: z
        .strictObject({
          users: z.array(slackUser).max(100).default([]),
          groups: z.array(slackGroup).max(20).default([]),
          pipelines: z
            .array(z.string().min(1).max(100))
            .min(1, 'at least one pipeline name; leave pipelines out to let any pipeline start')
            .max(20)
            .optional(),
        })
        .prefault({}),
      slack: z.strictObject({
        /** Where the release card goes; `/canary start` is always accepted here. */
        channel: slackChannel,
        /** Further channels `/canary start` is accepted from, besides `channel`. */
        channels: z.array(slackChannel).max(20).default([]),
      }),
      /** `/canary revert`: approvers may put the previous version back; with `byRequester`, the reverted release's requester too. */
      revert: z.strictObject({ byRequester: z.boolean().default(false) }).prefault({}),
      hostOperationTimeoutSeconds: seconds(30, 3600).default(600),
      /** A team's own checks at named points of a release (domain/hooks.ts). */
      hooks: buildHooksSchema().default([]),
      /** The canary judged against stable on metrics (README, "The verdict"); without it, alarms alone judge. */
      analysis: analysisConfigSchema.optional(),
      /** Named group releases this service is the entry of (domain/group.ts). */
      groups: buildGroupsSchema().default([]),
    })
    .refine((c) => !c.approvals.required || c.approvals.users.length + c.approvals.groups.length > 0, {
      message: 'approvals.required is true, so approvals.users or approvals.groups must name someone',
      path: ['approvals'],
    })
    .refine((c) => analysisNamesEveryFleet(c), {
      message:
        'name where each fleet is measured: canary, and stable (or blue and green, for a blue/green service)',
      path: ['analysis', 'loadBalancer'],
    })
    .refine((c) => c.promotion.bakeSeconds === 0 || c.alarms.stable.length > 0 || c.blueGreen !== undefined, {
      message: 'a bake watches the stable fleet: name its alarms in alarms.stable, or set bakeSeconds to 0',
      path: ['promotion', 'bakeSeconds'],
    })
    .refine((c) => !c.promotion.bakeAnalysis || (c.analysis !== undefined && c.promotion.bakeSeconds > 0), {
      message:
        "a bake's analysis judges the promoted fleet on the service's analysis metrics: configure analysis and a bakeSeconds above 0, or set bakeAnalysis to false",
      path: ['promotion', 'bakeAnalysis'],
    })
    .superRefine(whereTheCanaryRuns)
    .refine((c) => (c.fleets.stable === undefined) !== (c.blueGreen === undefined), {
      message:
        'name the stable fleet once: fleets.stable, or blueGreen (whose live colour is then the stable fleet), not both',
      path: ['fleets', 'stable'],
    });
}

export const serviceConfigSchema = z.lazy(buildServiceConfigSchema);

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;
/** What a person writes: defaults may be left out. */
export type ServiceConfigInput = z.input<typeof serviceConfigSchema>;

export type ConfigResult = { ok: true; config: ServiceConfig } | { ok: false; errors: readonly string[] };

/**
 * Parses a service configuration; each error names the field and what was expected.
 *
 * @example
 * parseServiceConfig({ service: 'Orders' }) // { ok: false, errors: ['service: a service name such as …', …] }
 */
export function parseServiceConfig(input: unknown): ConfigResult {
  const parsed = serviceConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.flatMap((issue) => describeIssue(issue, [], '(configuration)')),
  };
}

import * as z from 'zod';

const name = (what: string) => z.string({ error: `${what} is required` }).min(1, `${what} is required`);
const functionArn = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .regex(/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+$/, 'a Lambda function ARN');

/**
 * The Lambda environment, as serverless.yml sets it. Not strict: Lambda adds many variables of its own.
 * Every error names the variable; parsing throws (an init error), it never exits the process.
 */
export const envSchema = z.object({
  RELEASES_TABLE: name('the releases table name'),
  AGENT_BUS_ARN: z
    .string({ error: "the agent's event bus ARN is required" })
    .regex(/^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/.+$/, 'an EventBridge event bus ARN'),
  PARAMETER_PATH: z
    .string({ error: 'the parameter path is required' })
    .regex(/^(\/[A-Za-z0-9_.-]+)+$/, 'a parameter path such as /canary-agent/prod (no trailing slash)'),
  SSM_DOCUMENT_PREFIX: name('the SSM document name prefix'),
  SSM_OUTPUT_LOG_GROUP: name('the host-operation log group'),
  COMMAND_MAX_CONCURRENCY: z
    .string()
    .regex(/^([1-9][0-9]*|[1-9][0-9]?%|100%)$/, 'a number of hosts or a percentage such as 10%')
    .default('10%'),
  COMMAND_MAX_ERRORS: z
    .string()
    .regex(/^([0-9]+|[0-9][0-9]?%|100%)$/, 'a number of errors or a percentage such as 0')
    .default('0'),
  SCHEDULE_GROUP: name('the EventBridge Scheduler group'),
  SCHEDULER_ROLE_ARN: z
    .string({ error: 'the scheduler role ARN is required' })
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN'),
  /** What the agent's schedules invoke directly (docs/security.md, "Who may cause what"). */
  TIMER_FUNCTION_ARN: functionArn("the timer function's ARN"),
  /** What the Slack function hands effects to, by direct asynchronous invocation. */
  EFFECTS_FUNCTION_ARN: functionArn("the effects function's ARN"),
  /** What the Slack function asks whether a start's alarms exist and which colour is live (synchronously). */
  PREFLIGHT_FUNCTION_ARN: functionArn("the preflight function's ARN"),
  /** The stage's prefix, which the agent's own canary stacks are named with (`canary-agent-prod-`). */
  CANARY_STACK_PREFIX: name('the canary stack name prefix'),
  /** The role CloudFormation creates and deletes temporary canary stacks with (examples/canary-stack-role.yml). */
  CANARY_STACK_ROLE_ARN: z
    .string({ error: 'the canary stack role ARN is required' })
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN'),
  DEAD_LETTER_QUEUE_ARN: z
    .string({ error: 'the dead-letter queue ARN is required' })
    .regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:.+$/, 'an SQS queue ARN'),
  AWS_REGION: name('the AWS region'),
  /**
   * Who may freeze every service at once (`/canary freeze all`) and any single one: Slack user and user group
   * ids, comma-separated. Empty (the default): nobody may freeze everything; each service's approvers still may
   * freeze their own.
   */
  FREEZE_ADMINS: z
    .string()
    .regex(
      /^(?:[UWS][A-Z0-9]{2,20}(?:,[UWS][A-Z0-9]{2,20})*)?$/,
      'Slack user ids (U…) and user group ids (S…), comma-separated, e.g. U024BE7LH,S0614TZR7',
    )
    .default('')
    .transform((ids) => {
      const list = ids === '' ? [] : ids.split(',');
      return {
        users: list.filter((id) => !id.startsWith('S')),
        groups: list.filter((id) => id.startsWith('S')),
      };
    }),
  /** Slack's Web API; another base URL for GovSlack, an egress proxy, or a stand-in. */
  SLACK_API_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+\/$/, 'a URL ending in a slash, such as https://slack.com/api/')
    .default('https://slack.com/api/'),
});

export type AgentConfig = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  override readonly name = 'ConfigError';
}

/**
 * @example
 * loadConfig({ RELEASES_TABLE: '' }) // throws ConfigError: "RELEASES_TABLE: the releases table name is required; …"
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid Lambda environment: ${problems.join('; ')}`);
}

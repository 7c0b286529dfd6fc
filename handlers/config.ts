/*
 * The Lambda environment, as serverless.yml sets it. Read by hand rather than with a zod schema: every function
 * reads it on its cold start, and building and running the schema was about a tenth of the Slack function's cold
 * start to its answer (bench/cold-start.ts). Not strict: Lambda adds many variables of its own. Every error names the
 * variable; reading throws (an init error), it never exits the process.
 */

/** One variable: what it is (for "… is required"), the pattern it must match and what that means, a default. */
interface Variable {
  readonly what?: string;
  readonly pattern?: RegExp;
  readonly means?: string;
  readonly fallback?: string;
}

const ARN = {
  bus: /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/.+$/,
  role: /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/,
  function: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+$/,
  queue: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:.+$/,
};
const name = (what: string): Variable => ({ what, pattern: /./, means: `${what} is required` });
const functionArn = (what: string): Variable => ({
  what,
  pattern: ARN.function,
  means: 'a Lambda function ARN',
});

const VARIABLES = {
  RELEASES_TABLE: name('the releases table name'),
  AGENT_BUS_ARN: {
    what: "the agent's event bus ARN",
    pattern: ARN.bus,
    means: 'an EventBridge event bus ARN',
  },
  PARAMETER_PATH: {
    what: 'the parameter path',
    pattern: /^(\/[A-Za-z0-9_.-]+)+$/,
    means: 'a parameter path such as /canary-agent/prod (no trailing slash)',
  },
  SSM_DOCUMENT_PREFIX: name('the SSM document name prefix'),
  SSM_OUTPUT_LOG_GROUP: name('the host-operation log group'),
  COMMAND_MAX_CONCURRENCY: {
    pattern: /^([1-9][0-9]*|[1-9][0-9]?%|100%)$/,
    means: 'a number of hosts or a percentage such as 10%',
    fallback: '10%',
  },
  COMMAND_MAX_ERRORS: {
    pattern: /^([0-9]+|[0-9][0-9]?%|100%)$/,
    means: 'a number of errors or a percentage such as 0',
    fallback: '0',
  },
  SCHEDULE_GROUP: name('the EventBridge Scheduler group'),
  SCHEDULER_ROLE_ARN: { what: 'the scheduler role ARN', pattern: ARN.role, means: 'an IAM role ARN' },
  /** What the agent's schedules invoke directly (docs/security.md, "Who may cause what"). */
  TIMER_FUNCTION_ARN: functionArn("the timer function's ARN"),
  /** What the Slack function hands effects to, by direct asynchronous invocation. */
  EFFECTS_FUNCTION_ARN: functionArn("the effects function's ARN"),
  /** What the Slack function asks whether a start's alarms exist and which colour is live (synchronously). */
  PREFLIGHT_FUNCTION_ARN: functionArn("the preflight function's ARN"),
  /** The stage's prefix, which the agent's own canary stacks are named with (`canary-agent-prod-`). */
  CANARY_STACK_PREFIX: name('the canary stack name prefix'),
  /** The role CloudFormation creates and deletes temporary canary stacks with (examples/canary-stack-role.yml). */
  CANARY_STACK_ROLE_ARN: { what: 'the canary stack role ARN', pattern: ARN.role, means: 'an IAM role ARN' },
  DEAD_LETTER_QUEUE_ARN: { what: 'the dead-letter queue ARN', pattern: ARN.queue, means: 'an SQS queue ARN' },
  AWS_REGION: name('the AWS region'),
  /**
   * Who may freeze every service at once (`/canary freeze all`) and any single one: Slack user and user group
   * ids, comma-separated. Empty (the default): nobody may freeze everything; each service's approvers still may
   * freeze their own.
   */
  FREEZE_ADMINS: {
    pattern: /^(?:[UWS][A-Z0-9]{2,20}(?:,[UWS][A-Z0-9]{2,20})*)?$/,
    means: 'Slack user ids (U…) and user group ids (S…), comma-separated, e.g. U024BE7LH,S0614TZR7',
    fallback: '',
  },
  /** Slack's Web API; another base URL for GovSlack, an egress proxy, or a stand-in. */
  SLACK_API_URL: {
    pattern: /^https?:\/\/[^\s]+\/$/,
    means: 'a URL ending in a slash, such as https://slack.com/api/',
    fallback: 'https://slack.com/api/',
  },
} satisfies Record<string, Variable>;

type Plain = Record<Exclude<keyof typeof VARIABLES, 'FREEZE_ADMINS'>, string>;
export type AgentConfig = Plain & {
  readonly FREEZE_ADMINS: { readonly users: readonly string[]; readonly groups: readonly string[] };
};

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  override readonly name = 'ConfigError';
}

/**
 * @example
 * loadConfig({ RELEASES_TABLE: '' }) // throws ConfigError: "RELEASES_TABLE: the releases table name is required; …"
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AgentConfig {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, variable] of Object.entries(VARIABLES) as [string, Variable][]) {
    const value = env[key] ?? variable.fallback;
    if (value === undefined) problems.push(`${key}: ${variable.what} is required`);
    else if (variable.pattern && !variable.pattern.test(value)) problems.push(`${key}: ${variable.means}`);
    else values[key] = value;
  }
  if (problems.length > 0) throw new ConfigError(`Invalid Lambda environment: ${problems.join('; ')}`);
  const admins =
    values.FREEZE_ADMINS === '' || values.FREEZE_ADMINS === undefined ? [] : values.FREEZE_ADMINS.split(',');
  return {
    ...(values as Plain),
    FREEZE_ADMINS: {
      users: admins.filter((id) => !id.startsWith('S')),
      groups: admins.filter((id) => id.startsWith('S')),
    },
  };
}

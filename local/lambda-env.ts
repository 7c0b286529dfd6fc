export const STAGE_PATH = '/canary-agent/test';
export const BUS_ARN = 'arn:aws:events:eu-west-1:123456789012:event-bus/canary-agent-test';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/canary-agent-test-scheduler';
export const TIMER_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:canary-agent-test-timer';
export const EFFECTS_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:canary-agent-test-effects';
export const PREFLIGHT_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:canary-agent-test-preflight';
export const DLQ_ARN = 'arn:aws:sqs:eu-west-1:123456789012:canary-agent-test-dead-letters';

/** The environment serverless.yml gives every function, pointed at DynamoDB Local. */
export function lambdaEnv(tableName: string, dynamoEndpoint: string): Record<string, string> {
  return {
    // DynamoDB Local keeps one database per region and access key: match test/support/dynamodb-local.ts.
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    RELEASES_TABLE: tableName,
    AGENT_BUS_ARN: BUS_ARN,
    PARAMETER_PATH: STAGE_PATH,
    SSM_DOCUMENT_PREFIX: 'canary-agent-test-',
    SSM_OUTPUT_LOG_GROUP: '/canary-agent/test/host-operations',
    COMMAND_MAX_CONCURRENCY: '10%',
    COMMAND_MAX_ERRORS: '0',
    SCHEDULE_GROUP: 'canary-agent-test',
    SCHEDULER_ROLE_ARN: ROLE_ARN,
    TIMER_FUNCTION_ARN: TIMER_ARN,
    EFFECTS_FUNCTION_ARN: EFFECTS_ARN,
    PREFLIGHT_FUNCTION_ARN: PREFLIGHT_ARN,
    DEAD_LETTER_QUEUE_ARN: DLQ_ARN,
    CANARY_STACK_PREFIX: 'canary-agent-test-',
    CANARY_STACK_ROLE_ARN: 'arn:aws:iam::123456789012:role/canary-agent-test-canary-stacks',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

/* The table of who may do what, which test/deploy/template-iam.test.ts holds every function's role to. */

// What each function's code calls (its composition root, the use cases it runs, their adapters). Running a
// release's effects (app/effect-runner.ts) may need any effect, whichever event caused them.
export const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
export const RECORD = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];
export const SLACK_SECRETS = ['ssm:GetParameters', 'kms:Decrypt'];
export const READ_LISTENERS = [
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
];
export const RUN_EFFECTS = [
  ...[...LOGS, ...RECORD, 'dynamodb:BatchWriteItem', ...SLACK_SECRETS, ...READ_LISTENERS],
  ...['ssm:SendCommand', 'ssm:CancelCommand', 'ssm:PutParameter', 'cloudwatch:DescribeAlarms'],
  ...['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyRule', 'events:PutEvents'],
  ...['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'],
  ...['elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTargetGroups'],
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  ...['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'iam:PassRole', 'sqs:SendMessage'],
  ...['cloudwatch:GetMetricData', 'cloudwatch:GetMetricWidgetImage'],
  ...['cloudformation:CreateStack', 'cloudformation:DeleteStack', 'cloudformation:DescribeStacks'],
  's3:GetObject',
  // Hooks: the team's <prefix>-hook-* functions, and the URL hooks' signing secret.
  ...['lambda:InvokeFunction', 'ssm:GetParameter'],
];
export const LIST_CONFIGS = 'ssm:GetParametersByPath'; // `/canary services`, did-you-mean: the services path only
export const MAY_DO: Record<string, string[]> = {
  slack: [...LOGS, ...RECORD, ...SLACK_SECRETS, 'ssm:GetParameter', LIST_CONFIGS, 'lambda:InvokeFunction'],
  // The Slack function's read-only questions of CloudWatch, ELB and SSM's managed instances, answered for it.
  preflight: [...LOGS, ...READ_LISTENERS, 'cloudwatch:DescribeAlarms', 'ssm:DescribeInstanceInformation'],
  alarm: RUN_EFFECTS,
  ssmCommand: [...RUN_EFFECTS, 'ssm:GetCommandInvocation'],
  pipeline: [...RUN_EFFECTS, 'ssm:GetParameter'],
  timer: RUN_EFFECTS,
  effects: RUN_EFFECTS,
  sweeper: [...RUN_EFFECTS, 'ssm:ListCommands'],
  // CloudFormation's status events prompt a read of the stack, and of why it failed.
  canaryStack: [...RUN_EFFECTS, 'cloudformation:DescribeStackEvents'],
};

/** Rights that change hosts, load balancers, schedules, versions or roles, or read every action. */
export const CHANGES =
  /^(ssm:(SendCommand|CancelCommand|PutParameter|Delete)|elasticloadbalancing:(?!Describe)|scheduler:|iam:)|\*/;
export const LAMBDA =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, as the template holds it.
  'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:canary-agent-dev';

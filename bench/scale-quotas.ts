/**
 * The published default quotas the scale simulation's rates are held against, per second unless named otherwise.
 * Each names where it is published; a region other than us-east-1 may have a lower one.
 */
export interface Quota {
  readonly perSecond: number;
  readonly source: string;
}

export const AWS_QUOTAS: Readonly<Record<string, Quota>> = {
  // Parameter Store's default throughput (GetParameter, GetParameters): 40 TPS, 10,000 with higher throughput.
  'ssm:GetParameter': { perSecond: 40, source: 'Parameter Store default throughput, 40/s' },
  'ssm:GetParameters': { perSecond: 40, source: 'Parameter Store default throughput, 40/s' },
  // EventBridge quotas page (eb-quota.html): PutEvents 10,000/s in us-east-1 (2,400/s in us-east-2; less in
  // smaller regions), per account and region, all buses together.
  'events:PutEvents': { perSecond: 10_000, source: 'EventBridge PutEvents, us-east-1, 10,000/s' },
  // EventBridge Scheduler quotas (scheduler-quotas.html): CreateSchedule and DeleteSchedule 1,000/s in the large
  // regions (250/s in the others); the newest page says 5,000/s, so the older figure is the cautious one.
  'scheduler:CreateSchedule': { perSecond: 1_000, source: 'Scheduler CreateSchedule, 1,000/s' },
  'scheduler:DeleteSchedule': { perSecond: 1_000, source: 'Scheduler DeleteSchedule, 1,000/s' },
  // CloudWatch service quotas (cloudwatch_limits.html): DescribeAlarms 9 TPS, GetMetricData 50 TPS,
  // GetMetricWidgetImage 20 TPS, per account and region (adjustable in Service Quotas).
  'cloudwatch:DescribeAlarms': { perSecond: 9, source: 'CloudWatch DescribeAlarms, 9/s' },
  'cloudwatch:GetMetricData': { perSecond: 50, source: 'CloudWatch GetMetricData, 50/s' },
  'cloudwatch:GetMetricWidgetImage': { perSecond: 20, source: 'CloudWatch GetMetricWidgetImage, 20/s' },
  // Lambda's default concurrency is 1,000 per region; at ~200 ms an invocation that is ~5,000 invocations/s.
  'lambda:Invoke (hand-off)': { perSecond: 5_000, source: 'Lambda 1,000 concurrent x 200 ms' },
};

/**
 * SSM publishes no fixed rate for SendCommand, ListCommands or GetCommandInvocation in its quotas table (its API
 * answers ThrottlingException past an unpublished, account-specific rate). The simulation prints their peak rates
 * for comparison with what an account sees in its own CloudTrail, and holds SendCommand against its documented
 * limit of 50 instance ids per call.
 */
export const UNPUBLISHED = 'not published (throttled past an account rate)';

/** DynamoDB on-demand (developer guide, "Service, account, and table quotas"). */
export const DYNAMO = {
  tableReadUnitsPerSecond: 40_000,
  tableWriteUnitsPerSecond: 40_000,
  partitionWriteUnitsPerSecond: 1_000,
  partitionReadUnitsPerSecond: 3_000,
};

/**
 * Slack's Web API tiers (api.slack.com/docs/rate-limits), per method per workspace per app: chat.update and
 * chat.delete Tier 3 (50+ a minute), chat.getPermalink Tier 4 (100+), files.* Tier 2-4; chat.postMessage is
 * "special": about 1 message a second per channel, with short bursts allowed.
 */
export const SLACK_PER_MINUTE: Readonly<Record<string, number>> = {
  'chat.update': 50,
  'chat.delete': 50,
  'chat.postEphemeral': 100,
  'chat.getPermalink': 100,
  'files.getUploadURLExternal': 20,
  'files.completeUploadExternal': 20,
};
export const POST_MESSAGE_PER_CHANNEL_PER_SECOND = 1;

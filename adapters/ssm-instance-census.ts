import { DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { InstanceCensus } from '../domain/plan-survey';

/** DescribeInstanceInformation's largest page. */
const PAGE_SIZE = 50;
/**
 * A preview is part of a slash command's answer, which Slack wants within 3 seconds: past 500 instances a fleet is
 * reported as "500 or more" rather than paged to the end.
 */
const MAX_PAGES = 10;

/**
 * Counts a fleet's instances as Run Command sees them: SSM's managed instances carrying every one of the tags
 * (filters on `tag:<key>` are ANDed), and of those the ones whose agent is `Online` (the only ones a command
 * reaches). An EC2 instance without a running SSM agent is not listed at all, as it would not be targeted either.
 */
export function ssmInstanceCensus(client: SSMClient): InstanceCensus {
  return {
    async count(tags) {
      const Filters = Object.entries(tags).map(([key, value]) => ({ Key: `tag:${key}`, Values: [value] }));
      let all = 0;
      let online = 0;
      let NextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await client.send(
          new DescribeInstanceInformationCommand({ Filters, MaxResults: PAGE_SIZE, NextToken }),
        );
        for (const instance of answer.InstanceInformationList ?? []) {
          all++;
          if (instance.PingStatus === 'Online') online++;
        }
        NextToken = answer.NextToken;
        if (!NextToken) return { all, online };
      }
      return { all, online, incomplete: true };
    },
  };
}

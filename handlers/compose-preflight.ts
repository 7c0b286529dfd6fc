/**
 * The preflight function's composition root: a CloudWatch, an ELB and an SSM client, and nothing that writes. It
 * answers the Slack function's read-only questions (handlers/preflight.ts), so the Slack function needs none of them.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { cloudWatchAlarmCatalog, cloudWatchAlarmStates } from '../adapters/cloudwatch-alarm-reader';
import { elbListenerSwitch } from '../adapters/elb-listener-switch';
import { ssmInstanceCensus } from '../adapters/ssm-instance-census';
import { surveyWith } from '../app/plan-survey';
import type { PreflightPorts } from './preflight';
import { sdk } from './sdk-options';

let built: PreflightPorts | undefined;

/** Built on the first question, once per container. */
export function preflightPorts(): PreflightPorts {
  if (built) return built;
  const cloudWatch = new CloudWatchClient(sdk);
  built = {
    alarmCatalog: cloudWatchAlarmCatalog(cloudWatch),
    listeners: elbListenerSwitch(new ElasticLoadBalancingV2Client(sdk)),
    survey: surveyWith(ssmInstanceCensus(new SSMClient(sdk)), cloudWatchAlarmStates(cloudWatch)),
  };
  return built;
}

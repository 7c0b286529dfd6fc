/**
 * The preflight function's composition root: a CloudWatch and an ELB client, and nothing that writes. It answers
 * the Slack function's read-only questions (handlers/preflight.ts), so the Slack function needs neither client.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { cloudWatchAlarmCatalog } from '../adapters/cloudwatch-alarm-reader';
import { elbListenerSwitch } from '../adapters/elb-listener-switch';
import type { PreflightPorts } from './preflight';
import { sdk } from './sdk-options';

let built: PreflightPorts | undefined;

/** Built on the first question, once per container. */
export function preflightPorts(): PreflightPorts {
  built ??= {
    alarmCatalog: cloudWatchAlarmCatalog(new CloudWatchClient(sdk)),
    listeners: elbListenerSwitch(new ElasticLoadBalancingV2Client(sdk)),
  };
  return built;
}

/**
 * The sandbox's CloudWatch metrics: its load balancers' request records as the ALB metrics of the dimensions in
 * SANDBOX_ELB_DIMENSIONS, answered by the local GetMetricData. The service's ELB is split by the colour of the
 * host that answered (its blue and green target groups); the canary ELB has one target group.
 */
import type { AnalysisConfigInput } from '../domain/analysis-config';
import { type CloudWatchStandin, cloudWatchStandin } from './cloudwatch-standin';
import { albSources, type MetricSource } from './elb-metrics';
import type { LoadBalancer } from './load-balancer';
import { SANDBOX_ELB_DIMENSIONS } from './sandbox-config';
import type { SandboxHost } from './sandbox-fleet';

/** The parts of the sandbox fleet the metrics read. */
export interface MeteredFleet {
  readonly stableLb: Pick<LoadBalancer, 'records'>;
  readonly canaryLb: Pick<LoadBalancer, 'records'>;
  readonly hosts: () => readonly Pick<SandboxHost, 'fleet' | 'address'>[];
}

export function sandboxMetricSources(fleet: MeteredFleet): MetricSource[] {
  const { stable, canary } = SANDBOX_ELB_DIMENSIONS;
  // Read once per GetMetricData: a host keeps its colour, and a filter per record would copy the host list.
  const addresses = (colour: 'blue' | 'green') =>
    new Set(
      fleet
        .hosts()
        .filter((h) => h.fleet === colour)
        .map((h) => h.address),
    );
  const [blue, green] = [addresses('blue'), addresses('green')];
  const ofColour = (colour: 'blue' | 'green') => (target: { host: string }) =>
    (colour === 'blue' ? blue : green).has(target.host);
  return [
    ...albSources(fleet.stableLb, stable.loadBalancer, [
      { targetGroup: stable.blue, has: ofColour('blue') },
      { targetGroup: stable.green, has: ofColour('green') },
    ]),
    ...albSources(fleet.canaryLb, canary.loadBalancer, [
      { targetGroup: canary.targetGroup, has: () => true },
    ]),
  ];
}

/**
 * The sandbox's GetMetricData: the load balancers' metrics, and `more` (the path counts). Start it, then give
 * `client()` to `cloudWatchCanaryMetrics`.
 */
export function sandboxCloudWatch(
  fleet: MeteredFleet,
  more: () => readonly MetricSource[] = () => [],
): CloudWatchStandin {
  return cloudWatchStandin({ sources: () => [...sandboxMetricSources(fleet), ...more()] });
}

/** The `loadBalancer` of a sandbox analysis config: the canary ELB against `stableColour`'s target group. */
export function sandboxAnalysisLoadBalancer(
  stableColour: 'blue' | 'green' = 'blue',
): AnalysisConfigInput['loadBalancer'] {
  const { stable, canary } = SANDBOX_ELB_DIMENSIONS;
  return {
    type: 'alb',
    canary: { loadBalancer: canary.loadBalancer, targetGroup: canary.targetGroup },
    stable: { loadBalancer: stable.loadBalancer, targetGroup: stable[stableColour] },
  };
}

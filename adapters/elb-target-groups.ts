import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type ElasticLoadBalancingV2ClientConfig,
  RegisterTargetsCommand,
  type TargetDescription,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TargetGateRefusedError } from '../domain/errors';
import type { TargetGroups } from '../domain/ports';
import type { GateReport, UnsettledTarget } from '../domain/rollout-types';

/** Errors no retry can fix: the group is gone, the agent may not touch it, or ELB refuses the targets. */
const PERMANENT = new Set([
  'TargetGroupNotFoundException',
  'InvalidTargetException',
  'TooManyTargetsException',
  'TooManyRegistrationsForTargetIdException',
  'AccessDenied',
  'AccessDeniedException',
  'ValidationError',
]);

/** States in which a target is on its way out: it takes no new connections. */
const LEAVING = new Set(['draining', 'unhealthy.draining']);

/** How often to look again once the first, full wait (the delay, the health checks) has passed. */
const RECHECK_CAP_SECONDS = 15;

/**
 * A drained rollout's target groups on ELBv2 (Application and Network Load Balancers). Each call reads the
 * hosts' states first and acts only on those that need it, so a repeated call sends no second deregistration.
 * Hosts are registered on the target group's own port (an instance target group's usual form).
 *
 * Calls per batch and target group: a drain is one DescribeTargetHealth, one DeregisterTargets and one
 * DescribeTargetGroupAttributes (the deregistration delay to wait), then one DescribeTargetHealth per later check;
 * an admission is the same with RegisterTargets and DescribeTargetGroups (the health checks' interval).
 */
export function elbTargetGroups(client: ElasticLoadBalancingV2Client): TargetGroups {
  const health = (targetGroupArn: string, instanceIds?: readonly string[]) =>
    refusing(async () => {
      const { TargetHealthDescriptions = [] } = await client.send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: targetGroupArn,
          ...(instanceIds ? { Targets: instanceIds.map((Id) => ({ Id })) } : {}),
        }),
      );
      return TargetHealthDescriptions;
    });

  async function drainOne(arn: string, instanceIds: readonly string[], attempt: number): Promise<GateReport> {
    const states = await health(arn, instanceIds);
    const serving = states.filter((d) => isRegistered(d) && !LEAVING.has(stateOf(d)));
    if (serving.length > 0) {
      const Targets = serving.map((d) => d.Target).filter((t): t is TargetDescription => t !== undefined);
      await refusing(() => client.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets })));
    }
    // A host just deregistered is draining now, whatever it read a moment before.
    const unsettled = states
      .filter((d) => isRegistered(d))
      .map((d) =>
        serving.includes(d) ? { instanceId: d.Target?.Id ?? '?', state: 'draining' } : unsettledOf(d),
      );
    if (unsettled.length === 0) return settled(instanceIds);
    const delay = await deregistrationDelay(arn);
    const wait = serving.length > 0 || attempt === 0 ? delay : Math.min(delay, RECHECK_CAP_SECONDS);
    return { instanceIds, settled: false, unsettled, checkAgainInSeconds: Math.max(1, wait) };
  }

  async function admitOne(arn: string, instanceIds: readonly string[], attempt: number): Promise<GateReport> {
    const states = await health(arn, instanceIds);
    const missing = states.filter((d) => !isRegistered(d) || LEAVING.has(stateOf(d)));
    if (missing.length > 0) {
      const Targets = missing.map((d) => ({ Id: d.Target?.Id ?? '' })).filter((t) => t.Id !== '');
      await refusing(() => client.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets })));
    }
    const unsettled = (missing.length > 0 ? await health(arn, instanceIds) : states)
      .filter((d) => stateOf(d) !== 'healthy')
      .map(unsettledOf);
    if (unsettled.length === 0) return settled(instanceIds);
    const { interval, threshold } = await healthChecks(arn);
    const wait = missing.length > 0 || attempt === 0 ? interval * threshold : interval;
    return { instanceIds, settled: false, unsettled, checkAgainInSeconds: Math.max(1, wait) };
  }

  async function deregistrationDelay(arn: string): Promise<number> {
    const { Attributes = [] } = await refusing(() =>
      client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
    );
    const value = Attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
    return Number.parseInt(value ?? '300', 10) || 0;
  }

  async function healthChecks(arn: string): Promise<{ interval: number; threshold: number }> {
    const { TargetGroups = [] } = await refusing(() =>
      client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })),
    );
    const group = TargetGroups[0];
    return {
      interval: group?.HealthCheckIntervalSeconds ?? 30,
      threshold: group?.HealthyThresholdCount ?? 5,
    };
  }

  return {
    async registered(targetGroupArns) {
      const all = await Promise.all(targetGroupArns.map((arn) => health(arn)));
      const ids = all
        .flat()
        .filter((d) => isRegistered(d) && !LEAVING.has(stateOf(d)))
        .map((d) => d.Target?.Id ?? '');
      return settled([...new Set(ids.filter((id) => id !== ''))]);
    },
    drain: (targetGroupArns, instanceIds, attempt) =>
      everyGroup(targetGroupArns, instanceIds, (arn) => drainOne(arn, instanceIds, attempt)),
    admit: (targetGroupArns, instanceIds, attempt) =>
      everyGroup(targetGroupArns, instanceIds, (arn) => admitOne(arn, instanceIds, attempt)),
  };
}

/** The adapter with its own client: what a composition root that loads this module on demand calls. */
export function elbTargetGroupsWithClient(config: ElasticLoadBalancingV2ClientConfig): TargetGroups {
  return elbTargetGroups(new ElasticLoadBalancingV2Client(config));
}

/** One report for all groups: settled when every group is, and looked at again after the longest wait. */
async function everyGroup(
  targetGroupArns: readonly string[],
  instanceIds: readonly string[],
  gate: (arn: string) => Promise<GateReport>,
): Promise<GateReport> {
  const reports = await Promise.all(targetGroupArns.map(gate));
  const unsettled = reports.flatMap((r) => r.unsettled);
  if (unsettled.length === 0) return settled(instanceIds);
  const checkAgainInSeconds = Math.max(...reports.map((r) => (r.settled ? 0 : r.checkAgainInSeconds)));
  return { instanceIds, settled: false, unsettled, checkAgainInSeconds };
}

function settled(instanceIds: readonly string[]): GateReport {
  return { instanceIds, settled: true, unsettled: [], checkAgainInSeconds: 0 };
}

function stateOf(d: TargetHealthDescription): string {
  return d.TargetHealth?.State ?? 'unavailable';
}

/** A target asked about but not in the group reads `unused` with reason `Target.NotRegistered`. */
function isRegistered(d: TargetHealthDescription): boolean {
  return !(stateOf(d) === 'unused' && d.TargetHealth?.Reason === 'Target.NotRegistered');
}

function unsettledOf(d: TargetHealthDescription): UnsettledTarget {
  const reason = d.TargetHealth?.Description ?? d.TargetHealth?.Reason;
  return { instanceId: d.Target?.Id ?? '?', state: stateOf(d), ...(reason ? { reason } : {}) };
}

async function refusing<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && PERMANENT.has(error.name)) {
      throw new TargetGateRefusedError(`${error.name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

import { TargetGateRefusedError } from '../domain/errors';
import type { TargetGroups } from '../domain/ports';
import type { GateReport, UnsettledTarget } from '../domain/rollout-types';

type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

interface Registration {
  state: TargetState;
  /** While draining: when the deregistration delay ends and the target is gone. */
  drainedAtMs?: number;
}

export interface MemoryTargetGroupsOptions {
  /** Each target group's instances at the start, all healthy. */
  readonly registered: Readonly<Record<string, readonly string[]>>;
  /** The deregistration delay (default 0: a target is gone as soon as it is deregistered). */
  readonly drainMs?: number;
  /** A health check of one target, run when it is registered and at each check until it passes. */
  readonly healthCheck?: (targetGroupArn: string, instanceId: string) => Promise<boolean>;
  /** Default Date.now. */
  readonly now?: () => number;
}

/**
 * Target groups kept in memory, behaving as ELBv2 describes them: a deregistered target drains for the delay,
 * then is gone; a registered one is `initial` until its health check passes. The sandbox's load balancer sends
 * requests only to the targets `serving` names; tests drive drains and admissions through it.
 */
export function memoryTargetGroups(options: MemoryTargetGroupsOptions) {
  const now = options.now ?? Date.now;
  const groups = new Map<string, Map<string, Registration>>(
    Object.entries(options.registered).map(([arn, ids]) => [
      arn,
      new Map(ids.map((id) => [id, { state: 'healthy' as TargetState }])),
    ]),
  );
  const calls: { action: string; targetGroupArn: string; instanceIds: readonly string[] }[] = [];

  function group(arn: string): Map<string, Registration> {
    const found = groups.get(arn);
    if (found === undefined)
      throw new TargetGateRefusedError(`TargetGroupNotFoundException: ${arn} not found`);
    return found;
  }

  /** Ends drains whose delay is over, as ELB forgets a target once it has drained. */
  function settle(arn: string): Map<string, Registration> {
    const members = group(arn);
    for (const [id, r] of members) {
      if (r.state === 'draining' && (r.drainedAtMs ?? 0) <= now()) members.delete(id);
    }
    return members;
  }

  async function check(arn: string, id: string, r: Registration): Promise<void> {
    if (r.state !== 'initial' && r.state !== 'unhealthy') return;
    const passed = await (options.healthCheck?.(arn, id) ?? Promise.resolve(true));
    r.state = passed ? 'healthy' : r.state;
  }

  const targetGroups: TargetGroups = {
    async registered(arns) {
      const ids = arns.flatMap((arn) =>
        [...settle(arn)].filter(([, r]) => r.state !== 'draining').map(([id]) => id),
      );
      return report([...new Set(ids)], []);
    },
    async drain(arns, instanceIds) {
      const unsettled: UnsettledTarget[] = [];
      for (const arn of arns) {
        const members = settle(arn);
        calls.push({ action: 'drain', targetGroupArn: arn, instanceIds });
        for (const id of instanceIds) {
          const r = members.get(id);
          if (r === undefined) continue;
          if (r.state !== 'draining')
            Object.assign(r, { state: 'draining', drainedAtMs: now() + (options.drainMs ?? 0) });
          if ((r.drainedAtMs ?? 0) <= now()) members.delete(id);
          else unsettled.push({ instanceId: id, state: 'draining' });
        }
      }
      return report(instanceIds, unsettled, Math.ceil((options.drainMs ?? 0) / 1000));
    },
    async admit(arns, instanceIds) {
      const unsettled: UnsettledTarget[] = [];
      for (const arn of arns) {
        const members = settle(arn);
        calls.push({ action: 'admit', targetGroupArn: arn, instanceIds });
        for (const id of instanceIds) {
          const r = members.get(id) ?? { state: 'initial' };
          if (r.state === 'draining') r.state = 'initial';
          members.set(id, r);
          await check(arn, id, r);
          if (r.state !== 'healthy') unsettled.push({ instanceId: id, state: r.state });
        }
      }
      return report(instanceIds, unsettled, 1);
    },
  };

  return {
    ...targetGroups,
    /** The instances a load balancer sends new requests to: healthy ones, or, as ELB fails open, every registered one. */
    serving(arn: string): string[] {
      const members = [...settle(arn)].filter(([, r]) => r.state !== 'draining');
      const healthy = members.filter(([, r]) => r.state === 'healthy');
      return (healthy.length > 0 ? healthy : members).map(([id]) => id);
    },
    /** The group is deleted: every call about it is refused from now on, as ELB refuses a missing group. */
    forget(arn: string): void {
      groups.delete(arn);
    },
    /** Every action asked of the groups so far, oldest first. */
    calls: (): readonly { action: string; targetGroupArn: string; instanceIds: readonly string[] }[] => [
      ...calls,
    ],
  };
}

function report(instanceIds: readonly string[], unsettled: UnsettledTarget[], waitSeconds = 0): GateReport {
  return unsettled.length === 0
    ? { instanceIds, settled: true, unsettled: [], checkAgainInSeconds: 0 }
    : { instanceIds, settled: false, unsettled, checkAgainInSeconds: Math.max(1, waitSeconds) };
}

export type MemoryTargetGroups = ReturnType<typeof memoryTargetGroups>;

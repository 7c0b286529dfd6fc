import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AlarmStates } from '../domain/plan-survey';
import type { AlarmCatalog, AlarmReader } from '../domain/ports';
import { type AlarmDefinition, type AlarmStateChangeEvent, alarmEvaluator } from './alarm-evaluator';
import { failoverLogTail } from './failover-log';
import { BLUE_GREEN, CANARY_ALARM, FAILOVER_ALARM, SANDBOX_ALARM_THRESHOLDS } from './sandbox-config';
import type { SandboxHost } from './sandbox-fleet';
import type { SkippingClock } from './skipping-clock';

/**
 * The sandbox's CloudWatch alarms: 5XX alarms on the canary's load balancer and on each colour's target group
 * (more 5XX in a second than SANDBOX_ALARM_THRESHOLDS allows fires them: a -flaky build's 2% does not, and the
 * canary analysis catches it), and the failover alarm fed by the routing proxies' failover logs. Each change of
 * state is published as CloudWatch's EventBridge event; DescribeAlarms reads them. `more` adds alarms by name with
 * their thresholds (the chain's other services' canary alarms).
 */
export function sandboxAlarms(
  clock: SkippingClock,
  publish: (event: AlarmStateChangeEvent) => void,
  more: Readonly<Record<string, number>> = {},
) {
  const firedAt = new Map<string, number>();
  const emit = (event: AlarmStateChangeEvent) => {
    if (event.detail.state.value === 'ALARM') firedAt.set(event.detail.alarmName, Date.now());
    publish(event);
  };
  const sandboxTime = () => clock.now();
  const thresholds = { ...SANDBOX_ALARM_THRESHOLDS, ...more };
  const names = [
    CANARY_ALARM,
    FAILOVER_ALARM,
    BLUE_GREEN.blue.alarm,
    BLUE_GREEN.green.alarm,
    ...Object.keys(more),
  ];
  const evaluators = new Map(
    names.map((alarmName) => {
      const definition = sandboxAlarmDefinition(alarmName, thresholds[alarmName] ?? 0);
      const evaluator = alarmEvaluator(definition, emit, randomUUID, sandboxTime);
      return [alarmName, evaluator] as const;
    }),
  );
  const evaluatorOf = (alarmName: string) => {
    const evaluator = evaluators.get(alarmName);
    if (evaluator === undefined) throw new Error(`the sandbox has no alarm ${alarmName}`);
    return evaluator;
  };
  const catalog: AlarmCatalog = {
    missing: async (alarmNames) => alarmNames.filter((n) => !evaluators.has(n)),
  };
  /** As DescribeAlarms answers a plan preview: each alarm's state and since when, or that it does not exist. */
  const states: AlarmStates = {
    states: async (alarmNames) =>
      alarmNames.map((name) => {
        const evaluator = evaluators.get(name);
        if (evaluator === undefined) return { name, missing: true };
        return { name, state: evaluator.state(), since: evaluator.since() };
      }),
  };
  let evaluating: ReturnType<typeof setInterval> | undefined;
  return {
    reader: describeAlarms(evaluators),
    catalog,
    states,
    evaluatorOf,
    /** When the named alarm (any alarm, unless named) last went to ALARM: real ms, not the sandbox clock. */
    firedAt(alarmName?: string): number | undefined {
      if (alarmName !== undefined) return firedAt.get(alarmName);
      return firedAt.size > 0 ? Math.max(...firedAt.values()) : undefined;
    },
    /** Evaluates every alarm four times a second; the routing proxies' failover logs feed the failover alarm. */
    start(hosts: () => readonly SandboxHost[], service: string): void {
      const failovers = failoverLogTail(
        () => routingFailoverLogs(hosts(), service),
        (count) => evaluatorOf(FAILOVER_ALARM).add(count, Date.now()),
      );
      evaluating = setInterval(() => {
        failovers.poll();
        for (const evaluator of evaluators.values()) evaluator.evaluate(Date.now());
      }, 250);
    },
    stop: () => clearInterval(evaluating),
  };
}

/** One-second periods with no grace, since SANDBOX_ALARM_THRESHOLDS are set per second. */
function sandboxAlarmDefinition(alarmName: string, threshold: number): AlarmDefinition {
  return {
    alarmName,
    periodSeconds: 1,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold,
    account: '000000000000',
    region: 'local',
  };
}

/** As CloudWatch's DescribeAlarms: each alarm's state and since when; a name with no alarm reads as no data. */
function describeAlarms(evaluators: ReadonlyMap<string, ReturnType<typeof alarmEvaluator>>): AlarmReader {
  return {
    read: async (alarmNames) =>
      alarmNames.map((name) => {
        const evaluator = evaluators.get(name);
        return evaluator
          ? { name, state: evaluator.state(), reason: evaluator.reason(), since: evaluator.since() }
          : { name, state: 'INSUFFICIENT_DATA', reason: `The sandbox has no alarm named ${name}.` };
      }),
  };
}

/** The routing proxy runs on the service's own hosts (the blue and green fleets), never on the canary. */
function routingFailoverLogs(hosts: readonly SandboxHost[], service: string): string[] {
  return hosts
    .filter((host) => host.fleet !== 'canary')
    .map((host) => join(host.root, 'state', service, 'routing-failover.log'));
}

/**
 * A local stand-in for a CloudWatch metric alarm on an ELB's HTTPCode_Target_5XX_Count (statistic Sum):
 * datapoints are summed per period, the alarm goes to ALARM when `datapointsToAlarm` of the last
 * `evaluationPeriods` periods are above the threshold, and missing data counts as not breaching (the setting
 * a 5XX alarm needs, since an ELB publishes no 5XX datapoint when there were none). Each change of state is
 * emitted as an EventBridge "CloudWatch Alarm State Change" event, in the documented shape.
 */
export interface AlarmDefinition {
  readonly alarmName: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly account: string;
  readonly region: string;
}

export type AlarmValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmStateChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'CloudWatch Alarm State Change';
  readonly source: 'aws.cloudwatch';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly alarmName: string;
    readonly state: {
      readonly value: AlarmValue;
      readonly reason: string;
      readonly reasonData: string;
      readonly timestamp: string;
    };
    readonly previousState: {
      readonly value: AlarmValue;
      readonly reason: string;
      readonly timestamp: string;
    };
    readonly configuration: { readonly description: string; readonly metrics: readonly unknown[] };
  };
}

interface AlarmState {
  readonly value: AlarmValue;
  readonly reason: string;
  readonly timestamp: string;
}

export function alarmEvaluator(
  definition: AlarmDefinition,
  emit: (event: AlarmStateChangeEvent) => void,
  newId: () => string,
  /** The state change's timestamp for an evaluation at `nowMs`: the sandbox stamps its own (skipping) time. */
  stamp: (nowMs: number) => string = (nowMs) => new Date(nowMs).toISOString(),
) {
  const sums = new Map<number, number>();
  // Created now: CloudWatch stamps a new alarm's state with its creation time.
  let state: AlarmState = {
    value: 'OK',
    reason: 'Unchecked: Initial alarm creation',
    timestamp: stamp(Date.now()),
  };
  const periodMs = definition.periodSeconds * 1000;

  function record(statusCode: number, atMs: number): void {
    if (statusCode >= 500 && statusCode <= 599) add(1, atMs);
  }

  /** Adds `count` to the metric at `atMs` (a count metric other than 5XX, such as failovers). */
  function add(count: number, atMs: number): void {
    const period = Math.floor(atMs / periodMs);
    sums.set(period, (sums.get(period) ?? 0) + count);
  }

  /** Evaluates the periods that have ended by `nowMs`, as CloudWatch does once per period. */
  function evaluate(nowMs: number): AlarmValue {
    const lastComplete = Math.floor(nowMs / periodMs) - 1;
    const window: number[] = [];
    for (let p = lastComplete - definition.evaluationPeriods + 1; p <= lastComplete; p++)
      window.push(sums.get(p) ?? 0);
    const breaching = window.filter((sum) => sum > definition.threshold);
    const value: AlarmValue = breaching.length >= definition.datapointsToAlarm ? 'ALARM' : 'OK';
    for (const period of sums.keys())
      if (period < lastComplete - definition.evaluationPeriods) sums.delete(period);
    if (value !== state.value) transition(value, window, nowMs);
    return value;
  }

  function transition(value: AlarmValue, window: number[], nowMs: number): void {
    const previous = state;
    state = { value, reason: thresholdCrossedReason(definition, value, window), timestamp: stamp(nowMs) };
    emit(stateChangeEvent(definition, newId(), state, previous, window));
  }

  return {
    record,
    add,
    evaluate,
    state: () => state.value,
    since: () => state.timestamp,
    reason: () => state.reason,
  };
}

function thresholdCrossedReason(definition: AlarmDefinition, value: AlarmValue, window: number[]): string {
  const verb = value === 'ALARM' ? 'greater than' : 'not greater than';
  return `Threshold Crossed: ${definition.datapointsToAlarm} out of the last ${definition.evaluationPeriods} datapoints [${window.join(', ')}] was ${verb} the threshold (${definition.threshold}.0).`;
}

function stateChangeEvent(
  definition: AlarmDefinition,
  id: string,
  state: AlarmState,
  previous: AlarmState,
  window: number[],
): AlarmStateChangeEvent {
  return {
    version: '0',
    id,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: definition.account,
    time: state.timestamp,
    region: definition.region,
    resources: [
      `arn:aws:cloudwatch:${definition.region}:${definition.account}:alarm:${definition.alarmName}`,
    ],
    detail: {
      alarmName: definition.alarmName,
      state: {
        value: state.value,
        reason: state.reason,
        reasonData: JSON.stringify({
          version: '1.0',
          queryDate: state.timestamp,
          statistic: 'Sum',
          period: definition.periodSeconds,
          threshold: definition.threshold,
          recentDatapoints: window,
        }),
        timestamp: state.timestamp,
      },
      previousState: { value: previous.value, reason: previous.reason, timestamp: previous.timestamp },
      configuration: {
        description: 'Canary ELB target 5XX responses (sandbox)',
        metrics: [target5xxSumMetric(definition)],
      },
    },
  };
}

function target5xxSumMetric(definition: AlarmDefinition) {
  return {
    id: 'm1',
    metricStat: {
      metric: { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count', dimensions: {} },
      period: definition.periodSeconds,
      stat: 'Sum',
    },
    returnData: true,
  };
}

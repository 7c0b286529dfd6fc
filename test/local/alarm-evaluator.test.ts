import { describe, expect, it } from 'vitest';
import { type AlarmStateChangeEvent, alarmEvaluator } from '../../local/alarm-evaluator';

const definition = {
  alarmName: 'orders-api-canary-5xx',
  periodSeconds: 10,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  threshold: 0,
  account: '123456789012',
  region: 'eu-west-1',
};

function setup() {
  const events: AlarmStateChangeEvent[] = [];
  let ids = 0;
  const alarm = alarmEvaluator(
    definition,
    (e) => events.push(e),
    () => `evt-${++ids}`,
  );
  return { alarm, events };
}

describe('the local 5XX alarm', () => {
  it('stays OK on successes and missing data', () => {
    const { alarm, events } = setup();
    for (let t = 0; t < 60_000; t += 500) alarm.record(200, t);

    expect(alarm.evaluate(60_000)).toBe('OK');
    expect(events).toEqual([]);
  });

  it('fires only when enough periods breach, and emits CloudWatch’s event shape', () => {
    const { alarm, events } = setup();
    alarm.record(503, 1_000);
    expect(alarm.evaluate(10_000)).toBe('OK');
    alarm.record(500, 12_000);

    expect(alarm.evaluate(20_000)).toBe('ALARM');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      detail: {
        alarmName: 'orders-api-canary-5xx',
        state: { value: 'ALARM' },
        previousState: { value: 'OK' },
      },
    });
    expect(events[0]?.detail.state.reason).toMatch(
      /Threshold Crossed: 2 out of the last 3 datapoints \[0, 1, 1\]/,
    );
  });

  it('returns to OK once the breaching periods leave the evaluation window', () => {
    const { alarm, events } = setup();
    alarm.record(500, 1_000);
    alarm.record(500, 11_000);
    alarm.evaluate(20_000);

    expect(alarm.evaluate(40_000)).toBe('OK');
    expect(events.map((e) => e.detail.state.value)).toEqual(['ALARM', 'OK']);
  });

  it('ignores 4XX responses', () => {
    const { alarm } = setup();
    alarm.record(404, 1_000);
    alarm.record(429, 11_000);

    expect(alarm.evaluate(20_000)).toBe('OK');
  });
});

import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmStates } from '../domain/plan-survey';
import type { AlarmCatalog, AlarmReader, AlarmReading } from '../domain/ports';
import type { AlarmState } from '../domain/types';

/** DescribeAlarms accepts at most 100 names per call. */
const BATCH = 100;

function stateOf(value: string | undefined): AlarmState {
  return value === 'OK' || value === 'ALARM' ? value : 'INSUFFICIENT_DATA';
}

/**
 * Reads watched alarms (metric and composite) at the engine's decision points. An alarm that does not exist
 * reads as INSUFFICIENT_DATA, never as OK: a typo in a service's configuration must not pass as "quiet".
 */
export function cloudWatchAlarmReader(client: CloudWatchClient): AlarmReader {
  return {
    async read(alarmNames) {
      const names = [...new Set(alarmNames)];
      const found = await describe(client, names);
      return names.map(
        (name) =>
          found.get(name) ?? {
            name,
            state: 'INSUFFICIENT_DATA',
            reason: `No CloudWatch alarm named ${name} exists (or the agent may not read it).`,
          },
      );
    },
  };
}

/** Which watched alarms do not exist, so that a start that names one is refused before anything runs. */
export function cloudWatchAlarmCatalog(client: CloudWatchClient): AlarmCatalog {
  return {
    async missing(alarmNames) {
      const names = [...new Set(alarmNames)];
      const found = await describe(client, names);
      return names.filter((name) => !found.has(name));
    },
  };
}

/** Alarms as they stand now, for a plan preview: one that does not exist is `missing`, not INSUFFICIENT_DATA. */
export function cloudWatchAlarmStates(client: CloudWatchClient): AlarmStates {
  return {
    async states(alarmNames) {
      const names = [...new Set(alarmNames)];
      const found = await describe(client, names);
      return names.map((name) => {
        const alarm = found.get(name);
        if (alarm === undefined) return { name, missing: true } as const;
        return { name, state: alarm.state, ...(alarm.since ? { since: alarm.since } : {}) };
      });
    },
  };
}

/** DescribeAlarms by name, 100 at a time: the alarms found, by name. */
async function describe(client: CloudWatchClient, names: readonly string[]) {
  const found = new Map<string, AlarmReading>();
  for (let start = 0; start < names.length; start += BATCH) {
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(start, start + BATCH),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          NextToken,
        }),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (!alarm.AlarmName) continue;
        found.set(alarm.AlarmName, {
          name: alarm.AlarmName,
          state: stateOf(alarm.StateValue),
          reason: alarm.StateReason ?? '',
          ...(alarm.StateUpdatedTimestamp ? { since: alarm.StateUpdatedTimestamp.toISOString() } : {}),
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return found;
}

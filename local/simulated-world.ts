import type { AlarmReader, FleetOperator, Notifier, Timers } from '../domain/ports';
import type { AlarmState, Effect, Release, ReleaseEvent } from '../domain/types';

type RunHostOperation = Extract<Effect, { kind: 'runHostOperation' }>;

/** Where the simulated world sends what it observes: SSM results, alarm changes and timers, as events. */
export type Deliver = (to: { releaseId?: string; commandId?: string }, event: ReleaseEvent) => Promise<void>;

export interface SimulatedWorldOptions {
  readonly hosts: readonly string[];
  /** Milliseconds a host takes to run an operation. */
  readonly operationMs: number;
  /** Real milliseconds per simulated second of a validation window. */
  readonly msPerSecond: number;
  /** When true, the canary answers with 5XX once it takes traffic and its alarm fires. */
  readonly faultyCanary: () => boolean;
  readonly canaryAlarm: string;
}

/**
 * A stand-in for EC2 hosts, CloudWatch and EventBridge Scheduler that reports back through events, as AWS would.
 * Used only by `npm start` until the full sandbox composes real nginx hosts.
 */
export function simulatedWorld(options: SimulatedWorldOptions, deliver: Deliver) {
  const alarmStates = new Map<string, AlarmState>();
  const pendingTimers = new Map<string, NodeJS.Timeout>();
  let commands = 0;

  const fleet: FleetOperator = {
    async run(releaseId: string, operation: RunHostOperation) {
      const commandId = `sim-${++commands}`;
      setTimeout(async () => {
        for (const hostId of options.hosts) {
          await deliver({ commandId }, { kind: 'hostCommandFinished', commandId, hostId, status: 'success' });
        }
        await deliver({ commandId }, { kind: 'commandFinished', commandId, status: 'success' });
        if (operation.operation === 'startMirror' && options.faultyCanary()) {
          alarmStates.set(options.canaryAlarm, 'ALARM');
          const at = new Date().toISOString();
          const reason = 'Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (0.0).';
          await deliver(
            { releaseId },
            { kind: 'alarmChanged', alarmName: options.canaryAlarm, state: 'ALARM', reason, at },
          );
        }
      }, options.operationMs);
      return { commandId };
    },
    async cancel() {},
  };

  const timers: Timers = {
    async set(releaseId, timerId, at) {
      if (pendingTimers.has(timerId)) return;
      const delay = Math.max(0, Date.parse(at) - Date.now()) / 1000;
      const handle = setTimeout(() => {
        pendingTimers.delete(timerId);
        void deliver({ releaseId }, { kind: 'timerElapsed', timerId });
      }, delay * options.msPerSecond);
      pendingTimers.set(timerId, handle);
    },
    async cancel(timerId) {
      clearTimeout(pendingTimers.get(timerId));
      pendingTimers.delete(timerId);
    },
  };

  const alarms: AlarmReader = {
    async read(names) {
      return names.map((name) => ({ name, state: alarmStates.get(name) ?? 'OK', reason: 'simulated' }));
    },
  };

  return { fleet, timers, alarms, reset: () => alarmStates.clear() };
}

/** Prints each change of a release as a timeline line. */
export function consoleNotifier(print: (line: string) => void, started: () => number): Notifier {
  return {
    async releaseChanged(release: Release, notice) {
      if (notice.severity === 'progress') return;
      const seconds = ((Date.now() - started()) / 1000).toFixed(2).padStart(6);
      const mark = notice.severity === 'critical' ? '!!' : notice.severity === 'warning' ? ' !' : '  ';
      print(`${seconds}s ${mark} [${release.state}] ${notice.headline}`);
    },
  };
}

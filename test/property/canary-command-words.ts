import fc from 'fast-check';
import { MAX_GROUP_MEMBERS } from '../../domain/group';
import { isServiceName } from '../../domain/patterns';
import { MAX_STEPS, type StrategyChoice } from '../../domain/release-request';
import type { CanaryCommand } from '../../handlers/slack/canary-command';
import { freezeCommand } from '../support/freeze-command';

/*
 * For test/property/canary-command.test.ts: valid `/canary` commands, and the words a person would type for each.
 */

export const serviceName = fc
  .stringMatching(/^[a-z][a-z0-9]{0,9}(?:-[a-z0-9]{1,9}){0,3}$/)
  .filter((name) => isServiceName(name));
export const version = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/);
const hundredths = (min: number, max: number) => fc.integer({ min, max }).map((n) => n / 100);
const windowSeconds = fc.integer({ min: 1, max: 7 * 86_400 });
const steps = fc
  .uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: MAX_STEPS })
  .map((list) => list.sort((a, b) => a - b).map((n) => n / 100));
const strategy: fc.Arbitrary<StrategyChoice> = fc.oneof(
  fc.constant({ kind: 'mirror' } as const),
  fc.constant({ kind: 'steps' } as const),
  steps.map((list) => ({ kind: 'steps', steps: list }) as const),
  fc.constant({ kind: 'blueGreen' } as const),
);

const startCommand: fc.Arbitrary<CanaryCommand> = fc
  .record(
    {
      service: serviceName,
      version,
      percent: hundredths(1, 10_000),
      windowSeconds,
      strategy,
    },
    { requiredKeys: ['service', 'version'], noNullPrototype: true },
  )
  .map(({ percent, ...rest }) => ({
    kind: 'start' as const,
    ...rest,
    // A mirror share with another strategy is a refusal, not a command; keep the generated commands valid.
    ...(percent === undefined || (rest.strategy && rest.strategy.kind !== 'mirror') ? {} : { percent }),
  }));

// A member named like an option (`window=1.2`) is read as the option: those names are never members.
const memberName = serviceName.filter((name) => !['mirror', 'window', 'strategy'].includes(name));
const members = (minLength: number) =>
  fc.uniqueArray(fc.record({ service: memberName, version }, { noNullPrototype: true }), {
    minLength,
    maxLength: MAX_GROUP_MEMBERS,
    selector: (member) => member.service,
  });
const groupSteps = steps.filter((list) => (list[0] ?? 0) > 0);
const groupSettings = fc.record(
  { windowSeconds, steps: groupSteps },
  { requiredKeys: [], noNullPrototype: true },
);

/** Ad hoc (two members or more, in call order) or a configured group by name with versions of its own. */
const groupCommand: fc.Arbitrary<CanaryCommand> = fc.oneof(
  fc.tuple(members(2), groupSettings).map(([list, settings]) => ({
    kind: 'startGroup' as const,
    members: list,
    ...settings,
  })),
  fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/), members(0), groupSettings)
    .map(([group, list, settings]) => ({ kind: 'startGroup' as const, group, members: list, ...settings })),
);

export const validCommand: fc.Arbitrary<CanaryCommand> = fc.oneof(
  startCommand,
  groupCommand,
  fc.record(
    { kind: fc.constant('status' as const), service: serviceName },
    { requiredKeys: ['kind'], noNullPrototype: true },
  ),
  fc.constantFrom({ kind: 'list' } as const, { kind: 'services' } as const, { kind: 'help' } as const),
  fc.record(
    { kind: fc.constantFrom('promote', 'rollback', 'abort', 'retry', 'history'), service: serviceName },
    { noNullPrototype: true },
  ),
  freezeCommand(serviceName),
);

/** Renders a duration as bare seconds or as a person would write it: `1d2h`, `15m`, `1h30m5s`. */
function renderDuration(seconds: number, bare: boolean): string {
  if (bare) return String(seconds);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor(seconds / 3600) % 24;
  const minutes = Math.floor(seconds / 60) % 60;
  const parts = [`${days}d`, `${hours}h`, `${minutes}m`, `${seconds % 60}s`];
  return parts.filter((part) => !part.startsWith('0')).join('');
}

function renderStrategy(choice: StrategyChoice): string {
  if (choice.kind === 'blueGreen') return 'strategy=blue-green';
  if (choice.kind === 'mirror' || choice.steps === undefined) return `strategy=${choice.kind}`;
  return `strategy=steps:${choice.steps.join(',')}`;
}

/** The words of a command as a person would type them, options in `order`. */
export function wordsOf(command: CanaryCommand, order: readonly number[], bareSeconds: boolean): string[] {
  switch (command.kind) {
    case 'start': {
      const options = [
        command.percent === undefined ? '' : `mirror=${command.percent}`,
        command.windowSeconds === undefined
          ? ''
          : `window=${renderDuration(command.windowSeconds, bareSeconds)}`,
        command.strategy === undefined ? '' : renderStrategy(command.strategy),
      ];
      const ordered = order.map((i) => options[i] ?? '').filter((option) => option !== '');
      return ['start', command.service, command.version, ...ordered];
    }
    case 'startGroup': {
      const options = [
        '',
        command.windowSeconds === undefined
          ? ''
          : `window=${renderDuration(command.windowSeconds, bareSeconds)}`,
        command.steps === undefined ? '' : `strategy=steps:${command.steps.join(',')}`,
      ];
      const ordered = order.map((i) => options[i] ?? '').filter((option) => option !== '');
      const named = command.group === undefined ? [] : ['group', command.group];
      return ['start', ...named, ...command.members.map((m) => `${m.service}=${m.version}`), ...ordered];
    }
    case 'status':
      return command.service === undefined ? ['status'] : ['status', command.service];
    case 'list':
    case 'services':
    case 'help':
      return [command.kind];
    case 'freeze':
    case 'unfreeze':
      return [command.kind, command.target, ...('reason' in command ? [command.reason ?? ''] : [])];
    default:
      return [command.kind, command.service];
  }
}

import fc from 'fast-check';
import type { CanaryCommand } from '../../handlers/slack/canary-command';

// A freeze's reason: words with the characters people use and those that must stay text (`<`, `@`, `&`).
const reasonWord = fc.stringMatching(/^[A-Za-z0-9.,!?'"<>@&#:()-]{1,12}$/);
const reason = fc.array(reasonWord, { minLength: 1, maxLength: 8 }).map((words) => words.join(' '));

/** Valid `/canary freeze` and `unfreeze` commands, on a service or on `all`. */
export function freezeCommand(serviceName: fc.Arbitrary<string>): fc.Arbitrary<CanaryCommand> {
  const target = fc.oneof(serviceName, fc.constant('all'));
  return fc.oneof(
    fc.record(
      { kind: fc.constant('freeze' as const), target, reason },
      { requiredKeys: ['kind', 'target'], noNullPrototype: true },
    ),
    fc.record({ kind: fc.constant('unfreeze' as const), target }, { noNullPrototype: true }),
  );
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Shape = {
  type: string;
  input?: { target: string };
  output?: { target: string };
  members?: Record<string, { target: string; traits?: Record<string, unknown> }>;
  member?: { target: string };
};

/**
 * One of AWS's Smithy API models in `../shared/aws-models/`, to check the requests an adapter sends and the answers
 * a test fakes against what the service really accepts and returns.
 */
export function smithyModel(file: string) {
  const model = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../shared/aws-models', file), 'utf8'),
  ) as { shapes: Record<string, Shape> };
  const service = Object.keys(model.shapes).find((name) => model.shapes[name]?.type === 'service');
  if (service === undefined) throw new Error(`${file} has no service shape`);
  /** Shape names are `<namespace>#<name>`, e.g. `com.amazonaws.ssm#GetCommandInvocationInput`. */
  const NS = service.slice(0, service.indexOf('#') + 1);

  /** What in `value` does not fit the shape: unknown members, missing required ones, values outside an enum. */
  function misfits(target: string, value: unknown, path = '$'): string[] {
    const shape = model.shapes[target.startsWith('smithy.api#') ? '' : target];
    if (shape === undefined) return []; // A smithy primitive (String, Integer…).
    if (shape.type === 'enum') {
      const allowed = Object.values(shape.members ?? {}).map((m) => m.traits?.['smithy.api#enumValue']);
      return allowed.includes(value) ? [] : [`${path}: ${String(value)} is not one of ${allowed.join(', ')}`];
    }
    if (shape.type === 'list' && shape.member) {
      const member = shape.member.target;
      return (value as unknown[]).flatMap((item, i) => misfits(member, item, `${path}[${i}]`));
    }
    if (shape.type !== 'structure') return [];
    const members = shape.members ?? {};
    const record = value as Record<string, unknown>;
    const unknown = Object.keys(record)
      .filter((k) => !(k in members))
      .map((k) => `${path}.${k}: not a member`);
    const missing = Object.entries(members)
      .filter(([k, m]) => m.traits?.['smithy.api#required'] !== undefined && record[k] === undefined)
      .map(([k]) => `${path}.${k}: required`);
    const inside = Object.entries(record).flatMap(([k, v]) =>
      members[k] && v !== undefined ? misfits(members[k].target, v, `${path}.${k}`) : [],
    );
    return [...unknown, ...missing, ...inside];
  }

  /** What in each request a mock received does not fit its operation's input shape. */
  function requestMisfits(calls: readonly { args: readonly unknown[] }[]): string[] {
    return calls.flatMap((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: unknown };
      const operation = command.constructor.name.replace(/Command$/, '');
      return misfits(inputOf(operation), command.input, operation);
    });
  }

  /** The shape of an operation's input (`…Input` in some models, `…Request` in others). */
  function inputOf(operation: string): string {
    const input = model.shapes[`${NS}${operation}`]?.input?.target;
    if (input === undefined) throw new Error(`${file} has no operation ${operation}`);
    return input;
  }

  /** What in a faked answer does not fit the operation's output shape. */
  function answerMisfits(operation: string, answer: unknown): string[] {
    const output = model.shapes[`${NS}${operation}`]?.output?.target;
    if (output === undefined) throw new Error(`${file} has no operation ${operation}`);
    return misfits(output, answer);
  }

  return { NS, misfits, requestMisfits, answerMisfits };
}

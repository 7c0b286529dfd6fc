import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Traits = Readonly<Record<string, unknown>>;
interface Member {
  readonly target: string;
  readonly traits?: Traits;
}
interface Shape {
  readonly type: string;
  readonly members?: Readonly<Record<string, Member>>;
  readonly member?: Member;
  readonly key?: Member;
  readonly value?: Member;
  readonly input?: { readonly target: string };
  readonly output?: { readonly target: string };
  readonly traits?: Traits;
}
interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

/** One broken rule of the contract: where in the value, and which trait or type it breaks. */
export interface Misfit {
  readonly path: string;
  readonly trait: 'type' | 'required' | 'unknown member' | 'length' | 'pattern' | 'range' | 'enum' | 'union';
  readonly detail: string;
}

const NUMBERS = new Set(['byte', 'short', 'integer', 'long', 'float', 'double', 'bigInteger', 'bigDecimal']);

/**
 * One of AWS's Smithy API models in `../shared/aws-models/` as a contract checker (test support, not product code):
 * does a request an adapter sends, or an answer a test fakes, fit what the service really accepts and returns?
 * It checks types, required members, unknown members, and the `length`, `pattern`, `range` and `enum` traits, on
 * the member or its target, through nested structures, unions, lists and maps. Values are as the SDK v3 takes them:
 * timestamps as `Date`, blobs as `Uint8Array` (or a string).
 */
export function smithyModel(file: string) {
  const model = JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../shared/aws-models', file), 'utf8'),
  ) as {
    shapes: Record<string, Shape>;
  };
  const service = Object.keys(model.shapes).find((name) => model.shapes[name]?.type === 'service');
  if (service === undefined) throw new Error(`${file} has no service shape`);
  /** Shape names are `<namespace>#<name>`, e.g. `com.amazonaws.ssm#GetCommandInvocationRequest`. */
  const NS = service.slice(0, service.indexOf('#') + 1);

  /** Every broken rule in `value` against the shape `target`, with the member's own traits applied over it. */
  function violations(target: string, value: unknown, path = '$', memberTraits: Traits = {}): Misfit[] {
    if (target.startsWith('smithy.api#')) return primitive(target.slice('smithy.api#'.length), value, path);
    const shape = model.shapes[target];
    if (shape === undefined) return [{ path, trait: 'type', detail: `no shape ${target} in ${file}` }];
    const traits = { ...shape.traits, ...memberTraits };
    const misfit = (trait: Misfit['trait'], detail: string): Misfit[] => [{ path, trait, detail }];
    switch (shape.type) {
      case 'structure':
      case 'union':
        return structure(shape, value, path);
      case 'list': {
        if (!Array.isArray(value)) return misfit('type', `expected a list, got ${typeOf(value)}`);
        const member = shape.member;
        return [
          ...bounded('length', value.length, traits, path, 'items'),
          ...(member
            ? value.flatMap((item, i) => violations(member.target, item, `${path}[${i}]`, member.traits))
            : []),
        ];
      }
      case 'map': {
        if (!isRecord(value)) return misfit('type', `expected a map, got ${typeOf(value)}`);
        const entries = Object.entries(value);
        const { key, value: valueShape } = shape;
        return [
          ...bounded('length', entries.length, traits, path, 'entries'),
          ...entries.flatMap(([k, v]) => [
            ...(key ? violations(key.target, k, `${path}{${k}}`, key.traits) : []),
            ...(valueShape ? violations(valueShape.target, v, `${path}.${k}`, valueShape.traits) : []),
          ]),
        ];
      }
      case 'enum': {
        const allowed = Object.values(shape.members ?? {}).map((m) => m.traits?.['smithy.api#enumValue']);
        if (allowed.includes(value)) return [];
        return misfit('enum', `${String(value)} is not one of ${allowed.join(', ')}`);
      }
      case 'string':
        return stringValue(value, traits, path);
      default:
        return [
          ...primitive(shape.type, value, path),
          ...(NUMBERS.has(shape.type) ? ranged(value, traits, path) : []),
        ];
    }
  }

  function structure(shape: Shape, value: unknown, path: string): Misfit[] {
    if (!isRecord(value))
      return [{ path, trait: 'type', detail: `expected a structure, got ${typeOf(value)}` }];
    const members = shape.members ?? {};
    const present = Object.entries(value).filter(([, v]) => v !== undefined);
    const unknown = present
      .filter(([k]) => !(k in members))
      .map(([k]): Misfit => ({ path: `${path}.${k}`, trait: 'unknown member', detail: 'not a member' }));
    const missing = Object.entries(members)
      .filter(
        ([, m]) =>
          m.traits?.['smithy.api#required'] !== undefined && m.traits['smithy.api#default'] === undefined,
      )
      .filter(([k]) => value[k] === undefined)
      .map(([k]): Misfit => ({ path: `${path}.${k}`, trait: 'required', detail: 'missing' }));
    const union: Misfit[] =
      shape.type === 'union' && present.length !== 1
        ? [{ path, trait: 'union', detail: `sets ${present.length} members, a union takes exactly one` }]
        : [];
    const inside = present.flatMap(([k, v]) => {
      const member = members[k];
      return member ? violations(member.target, v, `${path}.${k}`, member.traits) : [];
    });
    return [...unknown, ...missing, ...union, ...inside];
  }

  /** What in each request a mock received does not fit its operation's input shape. */
  function requestMisfits(calls: readonly { args: readonly unknown[] }[]): string[] {
    return calls.flatMap((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: unknown };
      const operation = command.constructor.name.replace(/Command$/, '');
      return violations(shapeOf(operation, 'input'), command.input, operation).map(describe);
    });
  }

  /** What in a faked answer does not fit the operation's output shape. */
  function answerMisfits(operation: string, answer: unknown): string[] {
    const { $metadata: _metadata, ...body } = answer as Record<string, unknown>;
    return violations(shapeOf(operation, 'output'), body).map(describe);
  }

  /** The shape of an operation's input or output (`…Input` in some models, `…Request` in others). */
  function shapeOf(operation: string, side: 'input' | 'output'): string {
    const target = model.shapes[`${NS}${operation}`]?.[side]?.target;
    if (target === undefined) throw new Error(`${file} has no operation ${operation}`);
    return target;
  }

  /** The misfits of `value` against the shape named `name` in this model, as text. */
  const misfits = (target: string, value: unknown, path = '$'): string[] =>
    violations(target, value, path).map(describe);

  return { NS, violations, misfits, requestMisfits, answerMisfits };
}

function stringValue(value: unknown, traits: Traits, path: string): Misfit[] {
  if (typeof value !== 'string')
    return [{ path, trait: 'type', detail: `expected a string, got ${typeOf(value)}` }];
  const legacyEnum = traits['smithy.api#enum'] as readonly { value: string }[] | undefined;
  const pattern = traits['smithy.api#pattern'] as string | undefined;
  return [
    // Smithy measures a string's length in Unicode scalar values.
    ...bounded('length', [...value].length, traits, path, 'characters'),
    ...(pattern !== undefined && !new RegExp(pattern, 'u').test(value)
      ? [
          {
            path,
            trait: 'pattern',
            detail: `${JSON.stringify(value.slice(0, 80))} does not match ${pattern}`,
          } as const,
        ]
      : []),
    ...(legacyEnum && !legacyEnum.some((e) => e.value === value)
      ? [
          {
            path,
            trait: 'enum',
            detail: `${value} is not one of ${legacyEnum.map((e) => e.value).join(', ')}`,
          } as const,
        ]
      : []),
  ];
}

function primitive(type: string, value: unknown, path: string): Misfit[] {
  const fits =
    NUMBERS.has(type) || type === 'intEnum'
      ? typeof value === 'number' || typeof value === 'bigint'
      : type === 'boolean'
        ? typeof value === 'boolean'
        : type === 'timestamp'
          ? value instanceof Date
          : type === 'blob'
            ? value instanceof Uint8Array || typeof value === 'string'
            : type === 'string'
              ? typeof value === 'string'
              : true; // document, and anything the checker does not model
  return fits ? [] : [{ path, trait: 'type', detail: `expected ${type}, got ${typeOf(value)}` }];
}

function ranged(value: unknown, traits: Traits, path: string): Misfit[] {
  return typeof value === 'number' ? bounded('range', value, traits, path, '') : [];
}

function bounded(
  trait: 'length' | 'range',
  size: number,
  traits: Traits,
  path: string,
  unit: string,
): Misfit[] {
  const bounds = traits[`smithy.api#${trait}`] as Bounds | undefined;
  if (bounds === undefined) return [];
  const { min, max } = bounds;
  if ((min === undefined || size >= min) && (max === undefined || size <= max)) return [];
  const allowed = `${min ?? '…'}..${max ?? '…'}`;
  return [{ path, trait, detail: `${size}${unit ? ` ${unit}` : ''} is outside ${allowed}` }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a Date';
  return value === null ? 'null' : typeof value;
}

function describe(m: Misfit): string {
  return `${m.path}: ${m.trait}: ${m.detail}`;
}

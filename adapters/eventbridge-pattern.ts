/**
 * A pure EventBridge event-pattern matcher for the pattern features the agent's rules use: exact values,
 * `prefix`, `wildcard`, `anything-but` (values or a prefix), `exists`, `$or` and nested `detail` fields. Used by tests and
 * the local sandbox to route events exactly as the deployed rules in serverless.yml would.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export type EventPattern = { readonly [field: string]: unknown };

type Matcher =
  | string
  | number
  | boolean
  | null
  | { readonly prefix: string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': unknown }
  | { readonly exists: boolean };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class UnsupportedPatternError extends Error {
  readonly code = 'UNSUPPORTED_PATTERN';
  override readonly name = 'UnsupportedPatternError';
}

/** True when `event` matches `pattern`. An array-valued event field matches when any element matches. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([field, rule]) => {
    if (field === '$or') {
      return (
        Array.isArray(rule) && rule.some((alternative) => matchesPattern(alternative as EventPattern, event))
      );
    }
    const value = event[field];
    if (isObject(rule)) return matchesPattern(rule, value);
    if (!Array.isArray(rule))
      throw new UnsupportedPatternError(`${field}: a pattern value must be an array or an object`);
    return matchesField(rule as Matcher[], value, field in event);
  });
}

function matchesField(matchers: readonly Matcher[], value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) return matcher.exists === (present && value !== undefined);
    if (!present) return false;
    return values.some((one) => matchesOne(matcher, one));
  });
}

function matchesOne(matcher: Matcher, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('wildcard' in matcher) return typeof value === 'string' && wildcardRegex(matcher.wildcard).test(value);
  if ('anything-but' in matcher) {
    const but = matcher['anything-but'];
    if (isObject(but) && typeof but.prefix === 'string') {
      return !(typeof value === 'string' && value.startsWith(but.prefix));
    }
    const excluded = Array.isArray(but) ? but : [but];
    return !excluded.includes(value);
  }
  throw new UnsupportedPatternError(`unsupported matcher ${JSON.stringify(matcher)}`);
}

/** EventBridge's `wildcard`: `*` stands for any characters (none included), a backslash before `*` for a star itself. */
function wildcardRegex(wildcard: string): RegExp {
  const parts = wildcard.split(/(\\\*|\*)/).map((part) => {
    if (part === '*') return '.*';
    if (part === '\\*') return '\\*';
    return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('')}$`, 's');
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../test/fixtures/events');

function merge(base: Json, patch: Json | undefined): Json {
  if (patch === undefined) return base;
  if (
    base &&
    patch &&
    typeof base === 'object' &&
    typeof patch === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(patch)
  ) {
    const out: { [key: string]: Json } = { ...base };
    for (const [key, value] of Object.entries(patch)) out[key] = merge(base[key] ?? null, value);
    return out;
  }
  return patch;
}

/**
 * A documented event from test/fixtures/events/<source>/<name>.json, with the fields a test is about changed.
 *
 * @example
 * getTestEvent('aws.cloudwatch/alarm-state-change', { detail: { alarmName: 'canary-orders-api-5xx' } })
 */
export function getTestEvent<T = Record<string, unknown>>(name: string, patch?: Record<string, unknown>): T {
  const base = JSON.parse(readFileSync(join(root, `${name}.json`), 'utf8')) as Json;
  return merge(base, patch as Json) as T;
}

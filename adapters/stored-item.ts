import type * as z from 'zod';

/** Parses JSON text through a schema; the error names what was being read. */
export function parseStored<T>(schema: z.ZodType<T>, text: unknown, what: string): T {
  if (typeof text !== 'string') throw new StoredItemError(`${what} has no data attribute`);
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new StoredItemError(`${what} is malformed: ${parsed.error.message}`);
  return parsed.data;
}

export class StoredItemError extends Error {
  readonly code = 'STORED_ITEM_MALFORMED';
  override readonly name = 'StoredItemError';
}

import * as z from 'zod';

/** An incoming event that can never be handled, however often it is retried: logged and dropped. */
export class BadEventError extends Error {
  readonly code = 'BAD_EVENT';
  override readonly name = 'BadEventError';
}

/** The EventBridge envelope around one `detail-type`'s detail (Powertools parser's EventBridgeSchema, trimmed). */
export function eventBridgeEvent<D extends z.ZodType>(
  detailTypes: readonly [string, ...string[]],
  detail: D,
) {
  return z.object({
    id: z.string().min(1),
    'detail-type': z.enum(detailTypes),
    source: z.string().min(1),
    time: z.string().min(1),
    detail,
  });
}

/**
 * @example
 * parseEvent(alarmEvent, event) // typed event, or throws BadEventError naming the field: "detail.alarmName: …"
 */
export function parseEvent<T>(schema: z.ZodType<T>, event: unknown): T {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
  throw new BadEventError(`Unusable event: ${problems.join('; ')}`);
}

/** EventBridge and CloudWatch times (`2019-10-02T17:04:40.985+0000`) as the domain's ISO instants. */
export const instant = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'a timestamp')
  .transform((value) => new Date(Date.parse(value)).toISOString());

import * as z from 'zod';
import type { Freeze } from '../domain/access';
import { actorSchema as actor } from './actor-schema';

/**
 * A stored freeze (`FREEZE#<scope>` / `FREEZE`), parsed back through this like every stored item. Built on first
 * parse, like the actor in it.
 */
export const freezeSchema = z.lazy(() =>
  z.object({
    scope: z.string(),
    by: actor,
    at: z.string(),
    reason: z.string().optional(),
  }),
) satisfies z.ZodType<Freeze>;

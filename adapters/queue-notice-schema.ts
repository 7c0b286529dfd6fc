import * as z from 'zod';
import { actorSchema as actor } from './actor-schema';

/* The stored shapes of the notices about a queued start (domain/queue-notice.ts), for notice-schema.ts. */

export const queueNotices = [
  z.object({
    kind: z.literal('startQueued'),
    by: actor,
    version: z.string(),
    replaced: z.object({ version: z.string(), by: actor }).optional(),
  }),
  z.object({
    kind: z.literal('queuedStartCancelled'),
    by: z.string(),
    version: z.string(),
    queuedBy: actor,
  }),
  z.object({
    kind: z.literal('queuedStartDropped'),
    version: z.string(),
    queuedBy: actor,
    reason: z.string(),
  }),
] as const;

import * as z from 'zod';
import type { QueuedStart } from '../domain/queue';
import { actorSchema as actor } from './actor-schema';

/*
 * The stored shape of a queued start (`SERVICE#<service>` / `QUEUE`), parsed back through this like every stored
 * item (its notices: queue-notice-schema.ts). Built on first parse: `/canary list` reads it, and a Slack cold start
 * need not pay for it (bench/cold-start.ts).
 */

const strategyChoice = () =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('mirror') }),
    z.object({
      kind: z.literal('steps'),
      steps: z.array(z.number()).optional(),
      mirrorFirst: z.boolean().optional(),
    }),
    z.object({ kind: z.literal('blueGreen') }),
  ]);

export const queuedStartSchema = z.lazy(() =>
  z.object({
    releaseId: z.string(),
    service: z.string(),
    toVersion: z.string(),
    requestedBy: actor,
    queuedAt: z.string(),
    behind: z.string(),
    channel: z.string().optional(),
    strategy: strategyChoice().optional(),
    percent: z.number().optional(),
    windowSeconds: z.number().optional(),
  }),
) satisfies z.ZodType<QueuedStart>;

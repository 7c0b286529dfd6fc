import * as z from 'zod';

/**
 * Who did something, as stored on releases, history entries and freezes. Built on first parse: a function that
 * loads a store parses no actor until it reads something (a Slack cold start, bench/cold-start.ts).
 */
export const actorSchema = z.lazy(() =>
  z.object({
    kind: z.enum(['person', 'pipeline', 'system']),
    id: z.string(),
    groups: z.array(z.string()).optional(),
  }),
);

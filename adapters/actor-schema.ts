import * as z from 'zod';

/** Who did something, as stored on releases, history entries and freezes. */
export const actorSchema = z.object({
  kind: z.enum(['person', 'pipeline', 'system']),
  id: z.string(),
  groups: z.array(z.string()).optional(),
});

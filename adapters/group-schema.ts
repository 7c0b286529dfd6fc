import * as z from 'zod';

/* The stored shapes of a group release (domain/group.ts) and of its members' exposure marks. */

const EXPOSURES = [
  'canaryDeployed',
  'stableProxied',
  'stablePromoted',
  'listenerSwitched',
  'canaryStackCreated',
];

/** `stableProxied`, or `stableProxied@payments` for a group's member. */
export const exposureMarkSchema = z
  .string()
  .refine((mark) => EXPOSURES.includes(mark.split('@')[0] ?? ''), 'an exposure mark') as z.ZodType<
  import('../domain/types').ExposureMark
>;

export const groupMemberSchema = z.object({
  service: z.string(),
  fromVersion: z.string(),
  toVersion: z.string(),
  recordedVersion: z.string().optional(),
  settled: z.boolean().optional(),
  path: z.object({ tagged: z.number().int(), untagged: z.number().int() }).optional(),
});

export const releaseGroupSchema = z.object({
  name: z.string().optional(),
  members: z.array(groupMemberSchema),
  promotionOrder: z.array(z.string()),
  keepRouting: z.boolean(),
});

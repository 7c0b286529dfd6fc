import { z } from 'zod';
import { patterns } from './patterns';

/** Who goes where while a steps release routes real users (README, "Weighted steps: who goes where"). */
export const routingConfigSchema = z
  .strictObject({
    /** Users are assigned to the canary by a hash of this cookie (client address when absent). */
    stickyCookie: z
      .string()
      .regex(patterns.routingToken, 'a cookie name (letters, digits, _ and -)')
      .default('uid'),
    /** Requests with this header and value always go to the canary (testers). */
    testerHeader: z
      .string()
      .regex(patterns.headerName, 'a header name (letters, digits and -)')
      .default('x-canary'),
    testerValue: z
      .string()
      .regex(patterns.routingToken, 'a header value of letters, digits, _ and -')
      .default('always'),
    /** VIPs are pinned to stable whatever the share: by cookie, by header, or both. */
    vipCookie: z.string().regex(patterns.routingToken, 'a cookie name (letters, digits, _ and -)').optional(),
    vipCookieValue: z
      .string()
      .regex(patterns.routingToken, 'a cookie value of letters, digits, _ and -')
      .optional(),
    vipHeader: z.string().regex(patterns.headerName, 'a header name (letters, digits and -)').optional(),
    vipHeaderValue: z
      .string()
      .regex(patterns.routingToken, 'a header value of letters, digits, _ and -')
      .optional(),
    /** Full-link tagging: requests routed to the canary carry this header, which services pass on. */
    tagHeader: z
      .string()
      .regex(patterns.headerName, 'a header name (letters, digits and -)')
      .default('x-canary-tag'),
    tagValue: z
      .string()
      .regex(patterns.routingToken, 'a header value of letters, digits, _ and -')
      .default('canary'),
  })
  .prefault({})
  .refine((r) => (r.vipCookie === undefined) === (r.vipCookieValue === undefined), {
    message: 'vipCookie and vipCookieValue go together',
  })
  .refine((r) => (r.vipHeader === undefined) === (r.vipHeaderValue === undefined), {
    message: 'vipHeader and vipHeaderValue go together',
  });

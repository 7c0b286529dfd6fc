import * as z from 'zod';
import { colouringSchema } from './colouring';
import { patterns } from './patterns';

const cookieName = () => z.string().regex(patterns.routingToken, 'a cookie name (letters, digits, _ and -)');
const headerName = () => z.string().regex(patterns.headerName, 'a header name (letters, digits and -)');
const cookieValue = () =>
  z.string().regex(patterns.routingToken, 'a cookie value of letters, digits, _ and -');
const headerValue = () =>
  z.string().regex(patterns.routingToken, 'a header value of letters, digits, _ and -');

function buildRoutingConfigSchema() {
  return z
    .strictObject({
      /** Users are assigned to the canary by a hash of this cookie (client address when absent). */
      stickyCookie: cookieName().default('uid'),
      /** Requests with this header and value always go to the canary (testers). */
      testerHeader: headerName().default('x-canary'),
      testerValue: headerValue().default('always'),
      /** VIPs are pinned to stable whatever the share: by cookie, by header, or both. */
      vipCookie: cookieName().optional(),
      vipCookieValue: cookieValue().optional(),
      vipHeader: headerName().optional(),
      vipHeaderValue: headerValue().optional(),
      /**
       * Full-link tagging: requests routed to the canary carry this header, which services pass on. Not `Host`:
       * Envoy refuses to set it, and it would change where a request goes.
       */
      tagHeader: headerName()
        .refine((name) => name.toLowerCase() !== 'host', 'a header of your own, not Host')
        .default('x-canary-tag'),
      tagValue: headerValue().default('canary'),
      /**
       * An entry service's colouring rules (domain/colouring.ts), tried in order after the VIPs: the first that
       * matches sends the request to the canary (tagged) or keeps it on stable; testers, tagged requests and the
       * share come after them.
       */
      colouring: colouringSchema(),
    })
    .prefault({})
    .refine((r) => (r.vipCookie === undefined) === (r.vipCookieValue === undefined), {
      message: 'vipCookie and vipCookieValue go together',
    })
    .refine((r) => (r.vipHeader === undefined) === (r.vipHeaderValue === undefined), {
      message: 'vipHeader and vipHeaderValue go together',
    });
}

/**
 * Who goes where while a steps release routes real users (README, "Weighted steps: who goes where"). Built on first
 * parse, like the service configuration that holds it.
 */
export const routingConfigSchema = z.lazy(buildRoutingConfigSchema);

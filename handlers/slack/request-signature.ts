import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from now, either way (Slack: "Verifying requests from Slack"). */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export type SignatureCheck = 'valid' | 'missing' | 'stale' | 'future' | 'mismatch';

/** Slack's request signature: `v0=` HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Checks a request as Slack documents it, and also refuses timestamps from the future: Bolt only refuses old
 * ones, so a request signed with a clock set ahead could otherwise be replayed later.
 *
 * @example
 * checkSlackSignature({ signingSecret, body, timestamp: '1700000000', signature: 'v0=…', nowSeconds }) // 'valid'
 */
export function checkSlackSignature(request: {
  signingSecret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowSeconds: number;
}): SignatureCheck {
  const timestamp = Number(request.timestamp);
  if (!request.signature || !request.timestamp || !Number.isInteger(timestamp)) return 'missing';
  if (timestamp < request.nowSeconds - MAX_CLOCK_SKEW_SECONDS) return 'stale';
  if (timestamp > request.nowSeconds + MAX_CLOCK_SKEW_SECONDS) return 'future';
  const expected = Buffer.from(slackSignature(request.signingSecret, timestamp, request.body));
  const given = Buffer.from(request.signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'mismatch';
}

/** The headers Slack sends with a signed form post; the sandbox console and the tests sign this way. */
export function signedHeaders(
  signingSecret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
) {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(signingSecret, timestamp, body),
  };
}

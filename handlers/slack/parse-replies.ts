import { escapeMrkdwn } from '../../adapters/slack-presentation/mrkdwn';
import type { CanaryCommand } from './canary-command';
import { USAGE_LINES } from './canary-usage';

/*
 * How the `/canary` parser answers what it cannot take: a reason in Slack mrkdwn, user text echoed only as short,
 * escaped inline code, and the usage line of the command that was meant.
 */

export type Kind = CanaryCommand['kind'];
export type Failure = { readonly ok: false; readonly message: string };
export type Parsed<T> = { readonly ok: true; readonly value: T } | Failure;

const MAX_MESSAGE = 1000;
const MAX_ECHO = 40;
// Backticks would end the inline code an echo sits in; controls, format characters (bidi overrides) and lone
// surrogates could make the echo lie about what was typed.
const UNSAFE_IN_ECHO = /[`\p{Cc}\p{Cf}\p{Cs}]/gu;

/** User text as inline code: escaped, without what could break out of the code span, at most 40 characters. */
export function code(text: string): string {
  const chars = Array.from(text.replace(UNSAFE_IN_ECHO, ''));
  if (chars.length === 0) return '(text that cannot be shown)';
  const short = chars.length > MAX_ECHO ? `${chars.slice(0, MAX_ECHO - 1).join('')}…` : chars.join('');
  return `\`${escapeMrkdwn(short)}\``;
}

export function failStart(reason: string): Failure {
  return fail(reason, 'start');
}

export function fail(reason: string, kind?: Kind): Failure {
  const usage = kind === undefined ? '' : `\nUsage: \`${USAGE_LINES[kind][0]}\``;
  // A guard, not a path: every reason is far shorter, but a reply must never be refused by Slack.
  return { ok: false, message: `${reason}${usage}`.slice(0, MAX_MESSAGE) };
}

import { patterns } from '../../domain/patterns';
import type { Actor, Instant } from '../../domain/types';

/*
 * Slack mrkdwn text within Block Kit's limits: escaping outside text, cutting without breaking an entity or a
 * token, and the mentions and date tokens the agent writes.
 */

/**
 * Block Kit's limits (https://docs.slack.dev/reference/block-kit): Slack refuses a message over any of them.
 * @example clip(text, LIMITS.section)
 */
export const LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  field: 2000,
  fields: 10,
  button: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  blockId: 255,
  /** A notification shows only the start of `text`; keep it under 3000. */
  text: 2999,
} as const;

/**
 * Escapes outside text (alarm reasons, command output, pipeline names): it can then neither mention,
 * broadcast (`<!channel>`) nor link.
 * @example escapeMrkdwn('<!channel> & <@U123>') // '&lt;!channel&gt; &amp; &lt;@U123&gt;'
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts `text` to `max` characters with an ellipsis, never inside an entity (`&amp;`), a token (`<@U…>`,
 * `<!date…>`) or a surrogate pair: Slack would show the broken half.
 * @example clip('a &amp; b', 4) // 'a …'
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1)).replace(/&[a-z]{0,4}$|<[^>]*$|[\uD800-\uDBFF]$/, '');
  return `${cut}…`;
}

/**
 * Joins lines while they fit in `max`, then says how many were left out: a list is cut between items.
 * @example joinWithin(['a', 'b', 'c'], 40) // 'a\nb\nc'
 */
export function joinWithin(lines: readonly string[], max: number): string {
  if (lines.join('\n').length <= max) return lines.join('\n');
  const kept: string[] = [];
  let used = 24; // room for the "…and N more" line
  for (const line of lines) {
    if (used + line.length + 1 > max) break;
    kept.push(line);
    used += line.length + 1;
  }
  return clip([...kept, `…and ${lines.length - kept.length} more`].join('\n'), max);
}

/**
 * The end of outside text that fits in `max` once escaped (the end of a command's output explains its
 * failure). Walks back one character at a time, so no entity is ever split.
 * @example tailWithin('abc<def', 8) // '…&lt;def'
 */
export function tailWithin(raw: string, max: number): string {
  let used = 0;
  for (let start = raw.length; start > 0; start--) {
    used += escapeMrkdwn(raw[start - 1] ?? '').length;
    if (used > max - 1) return `…${escapeMrkdwn(raw.slice(start))}`;
  }
  return escapeMrkdwn(raw);
}

/**
 * Slack's date token that shows local time to each reader, with a UTC fallback; an instant that does not
 * parse is shown as written rather than throwing.
 * @example slackTime('2026-11-22T14:02:00.000Z') // '<!date^1795356120^{time}|14:02 UTC>'
 */
export function slackTime(at: Instant): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return escapeMrkdwn(clip(at, 40));
  return `<!date^${Math.floor(ms / 1000)}^{time}|${new Date(ms).toISOString().slice(11, 16)} UTC>`;
}

/**
 * A person as a mention; anything that is not a valid Slack user id is shown as escaped text.
 * @example mention('U0ANA') // '<@U0ANA>'
 */
export function mention(id: string): string {
  return patterns.slackUserId.test(id) ? `<@${id}>` : escapeMrkdwn(clip(id, 80));
}

/**
 * A channel as a link; anything that is not a valid Slack channel id is shown as escaped text.
 * @example channelLink('C0RELEASES') // '<#C0RELEASES>'
 */
export function channelLink(id: string): string {
  return patterns.slackChannelId.test(id) ? `<#${id}>` : escapeMrkdwn(clip(id, 80));
}

/**
 * Who acted: a person mentioned, a pipeline (or a part of the system) by its escaped name.
 * @example actorName({ kind: 'pipeline', id: 'orders-ci' }) // 'orders-ci (pipeline)'
 */
export function actorName(actor: Actor): string {
  return actor.kind === 'person' ? mention(actor.id) : `${escapeMrkdwn(clip(actor.id, 80))} (${actor.kind})`;
}

/**
 * Seconds as minutes (rounded up), then hours and minutes.
 * @example duration(5400) // '1 h 30 min'
 */
export function duration(seconds: number): string {
  const minutes = Math.max(0, Math.ceil(seconds / 60));
  const rest = minutes % 60;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${rest > 0 ? ` ${rest} min` : ''}`;
}

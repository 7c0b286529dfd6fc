import type { KnownBlock } from '@slack/types';
import { type Notice, type NoticeMedium, noticeDetail, renderNotice } from '../../domain/notice';
import type { Release } from '../../domain/types';
import { groupTitle } from './card-group';
import { actorName, clip, escapeMrkdwn, LIMITS, mention, tailWithin } from './mrkdwn';
import { type Message, mrkdwn, section } from './release-card';

/**
 * Notices in Slack mrkdwn. Only a person's id can become a mention (and only a valid Slack user id); every other
 * part (names, versions, reasons, output, comments) is escaped, so no mention, broadcast or link can come from
 * outside text.
 */
const SLACK: NoticeMedium = {
  text: (value) => escapeMrkdwn(clip(value, 500)),
  person: mention,
  actor: actorName,
};

/**
 * A notice as one line of mrkdwn.
 *
 * @example
 * noticeText({ kind: 'canaryStackFailed', reason: '<!channel>' }) // 'The canary stack failed: &lt;!channel&gt;'
 */
export function noticeText(notice: Notice): string {
  return renderNotice(notice, SLACK);
}

/** The last lines of a command's output are the ones that explain a failure. */
const DETAIL_LINES = 15;

/**
 * A thread reply for a notice: its words, and its outside detail (a host's output, an alarm's reason) in a code
 * block, the last 15 lines, within limits.
 *
 * @example
 * noticeReply(release, { kind: 'hostResult', operation: 'stopMirror', hostId: 'i-0b…', status: 'failed', output: 'nginx: …', leadsTo: 'rollbackStepFailed' })
 * // { text: 'orders-api 1.4.2: Rollback step failed: …', blocks: [headline section, '```…```' section] }
 */
export function noticeReply(release: Release, notice: Notice): Message {
  const head = noticeText(notice);
  const detail = noticeDetail(notice) ?? '';
  const lines = detail.split('\n');
  const last = lines.slice(-DETAIL_LINES);
  // A ``` inside the output would close our code block early: zero-width spaces keep it visible but inert.
  const raw = last.join('\n').replace(/```/g, '`\u200b`\u200b`');
  const blocks: KnownBlock[] = [section(head)];
  if (detail.trim() !== '') blocks.push(section(`\`\`\`\n${tailWithin(raw, LIMITS.section - 8)}\n\`\`\``));
  const skipped = lines.length - last.length;
  if (skipped > 0)
    blocks.push({ type: 'context', elements: [mrkdwn(`${skipped} earlier lines not shown.`, 100)] });
  const about = release.group
    ? escapeMrkdwn(groupTitle(release.group))
    : `${escapeMrkdwn(release.service)} ${escapeMrkdwn(release.toVersion)}`;
  const text = `${about}: ${head}`;
  return { text: clip(text, LIMITS.text), blocks };
}

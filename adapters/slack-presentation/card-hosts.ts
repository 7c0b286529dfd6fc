import type { Release } from '../../domain/types';
import { OUTCOME_WORDS, operationWords } from '../../domain/words';
import { clip, escapeMrkdwn, joinWithin, LIMITS, tailWithin } from './mrkdwn';

/** At most this many hosts are listed; the thread has every host's result. */
const MAX_HOSTS = 8;

/**
 * The hosts a promotion left behind within its `maxErrors`, each with its status and the last line of its
 * output (escaped: it is outside text); null when there are none.
 *
 * @example
 * failedHostsText(release) // '🟠 *Hosts that failed (within the number allowed to fail)*\n• `i-0a…` failed while promoting the new version on the stable fleet: `health check …`'
 */
export function failedHostsText(release: Release): string | null {
  const failures = release.hostFailures ?? [];
  if (failures.length === 0) return null;
  const lines = failures.slice(0, MAX_HOSTS).map((failure) => {
    const host = escapeMrkdwn(clip(failure.hostId, 80));
    const last = lastLine(failure.output ?? '');
    const why = last === '' ? '' : `: \`${tailWithin(last.replace(/`/g, "'"), 200)}\``;
    return `• \`${host}\` ${OUTCOME_WORDS[failure.status]} while ${operationWords(failure.operation)}${why}`;
  });
  const more =
    failures.length > MAX_HOSTS ? [`…and ${failures.length - MAX_HOSTS} more: see the thread.`] : [];
  return joinWithin(
    ['🟠 *Hosts that failed (within the number allowed to fail)*', ...lines, ...more],
    LIMITS.section,
  );
}

function lastLine(output: string): string {
  return (
    output
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .at(-1) ?? ''
  );
}

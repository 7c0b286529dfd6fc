import type { NoticeMedium } from './notice';
import type { QueuedStart } from './queue';
import type { Actor } from './types';

/**
 * What the agent says about the start queued behind a release, on that release's card and thread: queued (perhaps
 * in place of another), cancelled, or dropped because the start path refused it when its turn came.
 */
export type QueueNotice =
  | {
      readonly kind: 'startQueued';
      readonly by: Actor;
      readonly version: string;
      readonly replaced?: { readonly version: string; readonly by: Actor };
    }
  | {
      readonly kind: 'queuedStartCancelled';
      readonly by: string;
      readonly version: string;
      readonly queuedBy: Actor;
    }
  | {
      readonly kind: 'queuedStartDropped';
      readonly version: string;
      readonly queuedBy: Actor;
      readonly reason: string;
    };

const KINDS: ReadonlySet<string> = new Set<QueueNotice['kind']>([
  'startQueued',
  'queuedStartCancelled',
  'queuedStartDropped',
]);

export function isQueueNotice(notice: { readonly kind: string }): notice is QueueNotice {
  return KINDS.has(notice.kind);
}

/**
 * The notice that `queued` was queued, replacing `replaced` when there was one.
 *
 * @example
 * queuedNotice(queued, null) // { kind: 'startQueued', by: { kind: 'person', id: 'U0ANA' }, version: '1.4.3' }
 */
export function queuedNotice(queued: QueuedStart, replaced: QueuedStart | null): QueueNotice {
  return {
    kind: 'startQueued',
    by: queued.requestedBy,
    version: queued.toVersion,
    ...(replaced ? { replaced: { version: replaced.toVersion, by: replaced.requestedBy } } : {}),
  };
}

export function renderQueueNotice(notice: QueueNotice, m: NoticeMedium): string {
  switch (notice.kind) {
    case 'startQueued': {
      const replaced = notice.replaced
        ? ` It replaces ${m.text(notice.replaced.version)} queued by ${m.actor(notice.replaced.by)}.`
        : '';
      return `${m.actor(notice.by)} queued ${m.text(notice.version)} to start when this release ends.${replaced}`;
    }
    case 'queuedStartCancelled':
      return `${m.person(notice.by)} cancelled the queued start of ${m.text(notice.version)} (queued by ${m.actor(notice.queuedBy)}).`;
    case 'queuedStartDropped':
      return `The queued start of ${m.text(notice.version)} (queued by ${m.actor(notice.queuedBy)}) was refused when its turn came, and is dropped: ${m.text(notice.reason)}`;
  }
}

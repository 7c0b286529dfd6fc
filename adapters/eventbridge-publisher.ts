import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { describeNotice } from '../domain/notice';
import type { Notifier } from '../domain/ports';

export const RELEASE_EVENT_SOURCE = 'canary-agent.releases';
export const RELEASE_STATE_CHANGED = 'Release State Changed';

export class PublishFailedError extends Error {
  readonly code = 'PUBLISH_FAILED';
  override readonly name = 'PublishFailedError';
}

export interface PublisherOptions {
  readonly busName: string;
  /** Attempts for entries that fail inside a successful PutEvents call. */
  readonly maxAttempts?: number;
  readonly pause?: (ms: number) => Promise<void>;
}

/**
 * PutEvents that checks every entry: PutEvents can fail per entry inside a successful call (FailedEntryCount),
 * so failed entries are sent again with backoff, and a failure that persists throws.
 */
export async function putEventsChecked(
  client: EventBridgeClient,
  entries: PutEventsRequestEntry[],
  options: Pick<PublisherOptions, 'maxAttempts' | 'pause'> = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 3;
  const pause = options.pause ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let pending = entries;
  for (let attempt = 1; ; attempt++) {
    const result = await client.send(new PutEventsCommand({ Entries: pending }));
    if (!result.FailedEntryCount) return;
    const failed = pending.filter((_, index) => result.Entries?.[index]?.ErrorCode);
    if (attempt >= maxAttempts) {
      const codes = (result.Entries ?? []).flatMap((e) => (e.ErrorCode ? [e.ErrorCode] : []));
      throw new PublishFailedError(
        `${failed.length} event(s) not accepted after ${attempt} attempts: ${codes.join(', ')}`,
      );
    }
    pending = failed;
    await pause(100 * 2 ** attempt);
  }
}

/**
 * Publishes "Release State Changed" on the agent's bus so other systems can follow releases. A failure that
 * persists throws: the effect stays in the outbox for the sweeper.
 */
export function eventBridgePublisher(client: EventBridgeClient, options: PublisherOptions): Notifier {
  return {
    async releaseChanged(release, { notice, severity }) {
      // Progress notices (a host finished, a command id recorded) change no state: followers need not pay for them.
      if (severity === 'progress') return;
      await putEventsChecked(
        client,
        [
          {
            EventBusName: options.busName,
            Source: RELEASE_EVENT_SOURCE,
            DetailType: RELEASE_STATE_CHANGED,
            Resources: [],
            Detail: JSON.stringify({
              releaseId: release.id,
              service: release.service,
              fromVersion: release.fromVersion,
              toVersion: release.toVersion,
              state: release.state,
              version: release.version,
              severity,
              // The notice as data for followers that act on it; `headline` is the same in plain words.
              notice,
              headline: describeNotice(notice),
              at: release.updatedAt,
            }),
          },
        ],
        options,
      );
    },
  };
}

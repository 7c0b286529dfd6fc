import { describe, expect, it } from 'vitest';
import { pendingEffectSchema } from '../../adapters/release-schema';
import { noticeText } from '../../adapters/slack-presentation/notice-reply';
import { describeNotice } from '../../domain/notice';
import { cancelRefusal } from '../../domain/queue';
import type { QueueNotice } from '../../domain/queue-notice';
import { queued } from '../support/release-stores';

const approvers = { users: ['U0BEN'], groups: ['S0RELEASERS'] };
const person = (id: string, groups: string[] = []) => ({ kind: 'person', id, groups }) as const;

describe('who may cancel a queued start', () => {
  it.each([
    ['the person who queued it', person('U0ANA'), null],
    ['an approver by name', person('U0BEN'), null],
    ['an approver through a user group', person('U0CAT', ['S0RELEASERS']), null],
    ['anyone else', person('U0DAN'), 'not-authorized'],
    [
      'a pipeline, even one named like the person who queued it',
      { kind: 'pipeline', id: 'U0ANA' },
      'not-authorized',
    ],
  ] as const)('%s', (_who, actor, refusal) => {
    expect(cancelRefusal(queued(), approvers, actor)).toBe(refusal);
  });
});

describe('notices about the queue', () => {
  const replaced: QueueNotice = {
    kind: 'startQueued',
    by: { kind: 'person', id: 'U0BEN' },
    version: '1.4.4',
    replaced: { version: '1.4.3', by: { kind: 'pipeline', id: '<!here> ci' } },
  };
  const dropped: QueueNotice = {
    kind: 'queuedStartDropped',
    version: '1.4.3',
    queuedBy: { kind: 'person', id: 'U0ANA' },
    reason: 'orders-api is frozen by U0BEN: "<!channel> quarter close"',
  };

  it('say in plain words what was queued, replaced, cancelled or dropped and why', () => {
    expect(describeNotice(replaced)).toBe(
      'U0BEN queued 1.4.4 to start when this release ends. It replaces 1.4.3 queued by <!here> ci.',
    );
    expect(
      describeNotice({
        kind: 'queuedStartCancelled',
        by: 'U0BEN',
        version: '1.4.3',
        queuedBy: person('U0ANA'),
      }),
    ).toBe('U0BEN cancelled the queued start of 1.4.3 (queued by U0ANA).');
    expect(describeNotice(dropped)).toContain(
      'was refused when its turn came, and is dropped: orders-api is frozen',
    );
  });

  it('mention people in Slack and escape the outside text', () => {
    expect(noticeText(replaced)).toBe(
      '<@U0BEN> queued 1.4.4 to start when this release ends. It replaces 1.4.3 queued by &lt;!here&gt; ci (pipeline).',
    );
    expect(noticeText(dropped)).toContain('&lt;!channel&gt; quarter close');
  });

  it('are stored in the outbox and read back as written', () => {
    const effect = { kind: 'notify', notice: dropped, severity: 'warning' } as const;
    const stored = {
      id: 'orders-api-r1#queue#orders-api-r2#queuedStartDropped',
      releaseId: 'orders-api-r1',
      effect,
      createdAt: '2026-11-22T14:00:00.000Z',
    };

    expect(pendingEffectSchema.parse(JSON.parse(JSON.stringify(stored)))).toEqual(stored);
  });
});

import { describe, expect, it } from 'vitest';
import { CANCEL_QUEUED_ACTION_ID, queuedOfButton } from '../../adapters/slack-presentation/card-queue';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import type { QueuedStart } from '../../domain/queue';
import { queued as queuedStart } from '../support/release-stores';
import { actionIds, buttonsOf, expectWithinLimits, releaseIn, sectionTexts } from './release-card-fixtures';

/* The start queued behind a release, on the release's card: when it will start, and its Cancel button. */

const NOW = '2026-11-22T14:10:00.000Z';
const queued = (behind: string): QueuedStart => ({
  ...queuedStart('orders-api-r9', behind),
  windowSeconds: 900,
});

describe('the queued start on the card', () => {
  it('shows what is queued, by whom and with which options, and a Cancel button for that entry', async () => {
    const { release } = await releaseIn('verifying');

    const card = releaseCard(release, NOW, 1, queued(release.id));

    const line = sectionTexts(card).find((t) => t.includes('Queued next'));
    expect(line).toContain('*Queued next:* *1.4.3* by <@U0ANA>');
    expect(line).toContain('strategy=mirror,steps:10,100 window=15m');
    expect(line).toContain('It starts when this release ends');
    const cancel = buttonsOf(card).find((b) => b.action_id === CANCEL_QUEUED_ACTION_ID);
    expect(cancel?.value).toBe('orders-api orders-api-r9');
    expect(queuedOfButton(cancel?.value)).toEqual({ service: 'orders-api', releaseId: 'orders-api-r9' });
    expectWithinLimits(card);
  });

  it('says that the queue waits for a person while the rollback has failed', async () => {
    const { release } = await releaseIn('rollbackFailed');

    const card = releaseCard(release, NOW, 1, queued(release.id));

    expect(sectionTexts(card).join('\n')).toContain(
      'It waits for a person: it starts only once this release’s rollback is retried and ends.',
    );
    expect(actionIds(card)).toEqual(['canary_retry', CANCEL_QUEUED_ACTION_ID]);
  });

  it('shows nothing on a release that ended: its successor has its own card', async () => {
    const { release } = await releaseIn('succeeded');

    const card = releaseCard(release, NOW, 1, queued(release.id));

    expect(JSON.stringify(card.blocks)).not.toContain('Queued next');
    expect(actionIds(card)).not.toContain(CANCEL_QUEUED_ACTION_ID);
  });

  it('escapes who queued it when that is a pipeline’s name, and refuses a button value it did not write', async () => {
    const { release } = await releaseIn('verifying');
    const byPipeline = {
      ...queued(release.id),
      requestedBy: { kind: 'pipeline', id: '<!channel> ci' },
    } as const;

    const text = sectionTexts(releaseCard(release, NOW, 1, byPipeline)).join('\n');

    expect(text).toContain('by &lt;!channel&gt; ci (pipeline)');
    expect(queuedOfButton('orders-api')).toBeNull();
    expect(queuedOfButton('Orders orders-api-r9')).toBeNull();
    expect(queuedOfButton(undefined)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { slackTime } from '../../adapters/slack-presentation/mrkdwn';
import { releaseCard } from '../../adapters/slack-presentation/release-card';
import { addSeconds } from '../../domain/time';
import { RELEASE_STATES, type Release } from '../../domain/types';
import { STATE_WORDS } from '../../domain/words';
import { historyLines, releaseLine, statusText } from '../../handlers/slack/summaries';
import { allText, releaseIn, stateLine } from './release-card-fixtures';

/* What a person reads on the card and in `/canary status`, `history` and `list`: words, not the engine's names. */

const CAMEL_STATES = RELEASE_STATES.filter((state) => /[A-Z]/.test(state));

describe('plain words on the card', () => {
  it("ends with the release and its last change, not the store's version number", async () => {
    const { h, release } = await releaseIn('awaitingApproval');

    const footer = JSON.stringify(releaseCard(release, h.now()).blocks.at(-1));

    expect(footer).toContain(`Release ${release.id} · last change ${slackTime(release.updatedAt)}`);
    expect(footer).not.toMatch(/version \d/);
  });

  it('counts the time left as the sandbox waits it, when its timers run 20 times faster', async () => {
    const { h, release } = await releaseIn('verifying');
    const windowEnd = addSeconds(release.run?.startedAt ?? '', 900);

    const sandbox = stateLine(releaseCard(release, release.run?.startedAt ?? h.now(), 20));
    const later = stateLine(releaseCard(release, addSeconds(windowEnd, -300), 20));
    const aws = stateLine(releaseCard(release, release.run?.startedAt ?? h.now()));

    expect(sandbox).toContain(
      `Validation window ends ${slackTime(windowEnd)} (about 45 s left at 20× speed).`,
    );
    expect(later).toContain('(about 15 s left at 20× speed)');
    expect(aws).toContain('(about 15 min left).');
  });

  it('says which host operation a blue/green release runs, with its colour', async () => {
    const { h, release } = await releaseIn('deployingIdle', 'blueGreen');

    const text = allText(releaseCard(release, h.now()));

    expect(text).toContain('*Hosts*: deploying the idle (green) fleet, running');
    expect(text).toContain('No host has reported yet.');
    expect(text).not.toMatch(/deployIdle|of 0 reported/);
  });
});

describe('plain words in /canary status, list and history', () => {
  it('says where a release is in words', async () => {
    const { release } = await releaseIn('awaitingApproval');

    const status = statusText(release);

    expect(status).toContain('*orders-api* 1.4.1 → 1.4.2: waiting for approval, mirroring 10%');
    expect(status).not.toContain('awaitingApproval');
  });

  it('lists how past releases ended in words', async () => {
    const { release: rolledBack } = await releaseIn('rolledBack');
    const { release: succeeded } = await releaseIn('succeeded');

    const history = historyLines('orders-api', [succeeded, rolledBack]);

    expect(history).toContain('• 1.4.1 → 1.4.2 *rolled back*, mirroring 10%');
    expect(history).toContain('• 1.4.1 → 1.4.2 *succeeded*, mirroring 10%');
    expect(history).not.toContain('rolledBack');
  });

  it.each(CAMEL_STATES)('never shows the state name %s to a person', async (state) => {
    const { release } = await releaseIn('verifying');
    const shown: Release = { ...release, state };

    expect(releaseLine(shown)).toContain(`: ${STATE_WORDS[state]}, `);
    expect(releaseLine(shown)).not.toContain(state);
    expect(historyLines('orders-api', [shown])).not.toContain(state);
  });
});

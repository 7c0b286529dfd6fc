import { describe, expect, it } from 'vitest';
import {
  ACTION_IDS,
  availableActions,
  type CardAction,
  releaseCard,
} from '../../adapters/slack-presentation/release-card';
import type { ReleaseState } from '../../domain/types';
import {
  actionIds,
  buttonsOf,
  expectWithinLimits,
  releaseIn,
  type StrategyName,
  stateLine,
  timeline,
} from './release-card-fixtures';

const ids = (...actions: CardAction[]) => actions.map((a) => ACTION_IDS[a]).sort();
const FORWARD = ids('rollback', 'abort');

/** What each state's card must offer and say; `current` is the timeline line in bold (null: none is running). */
const EXPECTED: Record<
  StrategyName,
  Partial<Record<ReleaseState, { buttons: string[]; phrase: RegExp; current: string | null }>>
> = {
  mirror: {
    deployingCanary: {
      buttons: FORWARD,
      phrase: /Deploying 1\.4\.2 to the canary/,
      current: 'deploy 1.4.2 to the canary',
    },
    startingMirror: {
      buttons: FORWARD,
      phrase: /a 10% mirror of live requests/,
      current: 'mirror 10% of requests',
    },
    verifying: {
      buttons: FORWARD,
      phrase: /Verifying: the canary gets a 10% mirror/,
      current: 'verify for 15 min',
    },
    awaitingApproval: {
      buttons: ids('promote', 'rollback', 'abort'),
      phrase: /Waiting for approval: press Promote to roll 1\.4\.2 out to the stable fleet/,
      current: 'approval',
    },
    inconclusive: {
      buttons: ids('promote', 'rollback', 'abort'),
      phrase: /Inconclusive: no data from orders-api-canary-5xx, so the window proves nothing/,
      current: 'verify for 15 min',
    },
    stoppingMirror: {
      buttons: FORWARD,
      phrase: /Stopping the mirror/,
      current: 'stable hosts back on nginx',
    },
    promoting: {
      buttons: FORWARD,
      phrase: /Promoting 1\.4\.2 on the stable fleet/,
      current: 'promote 1.4.2 on the stable fleet',
    },
    cleaningUp: { buttons: FORWARD, phrase: /Removing the canary\*/, current: 'remove the canary' },
    succeeded: { buttons: [], phrase: /Succeeded: the stable fleet runs 1\.4\.2/, current: null },
    rollingBack: {
      buttons: [],
      phrase: /Rolling back: the stable fleet keeps 1\.4\.1/,
      current: 'stable hosts back on nginx',
    },
    rollbackFailed: { buttons: ids('retry'), phrase: /ROLLBACK FAILED/, current: null },
    rolledBack: { buttons: [], phrase: /Rolled back: the stable fleet runs 1\.4\.1/, current: null },
  },
  steps: {
    deployingCanary: { buttons: FORWARD, phrase: /Deploying 1\.4\.2/, current: 'deploy 1.4.2 to the canary' },
    shiftingTraffic: {
      buttons: FORWARD,
      phrase: /Giving the canary 10% of users/,
      current: '10% of users, bake 15 min',
    },
    verifying: {
      buttons: FORWARD,
      phrase: /Verifying: the canary gets 10% of users/,
      current: '10% of users, bake 15 min',
    },
    awaitingApproval: {
      buttons: ids('promote', 'rollback', 'abort'),
      phrase: /press Promote to roll 1\.4\.2 out/,
      current: 'approval',
    },
    promoting: {
      buttons: FORWARD,
      phrase: /Promoting 1\.4\.2/,
      current: 'promote 1.4.2 on the stable fleet',
    },
    restoringProxy: {
      buttons: FORWARD,
      phrase: /back on their own nginx/,
      current: 'stable hosts back on their own nginx',
    },
    cleaningUp: { buttons: FORWARD, phrase: /Removing the canary\*/, current: 'remove the canary' },
    succeeded: { buttons: [], phrase: /Succeeded/, current: null },
    rollingBack: {
      buttons: [],
      phrase: /Rolling back: the stable fleet keeps 1\.4\.1/,
      current: 'stable hosts back on nginx',
    },
    rollbackFailed: { buttons: ids('retry'), phrase: /ROLLBACK FAILED/, current: null },
    rolledBack: { buttons: [], phrase: /Rolled back/, current: null },
  },
  blueGreen: {
    deployingIdle: {
      buttons: FORWARD,
      phrase: /Deploying 1\.4\.2 to the idle green fleet/,
      current: 'deploy 1.4.2 to the idle green fleet',
    },
    switchingListener: {
      buttons: FORWARD,
      phrase: /Switching the listener to green: all traffic at once/,
      current: 'switch the listener to green',
    },
    verifying: {
      buttons: FORWARD,
      phrase: /Verifying: green serves all traffic/,
      current: 'verify for 15 min',
    },
    awaitingApproval: {
      buttons: ids('promote', 'rollback', 'abort'),
      phrase: /press Promote to keep green live/,
      current: 'approval',
    },
    succeeded: {
      buttons: [],
      phrase: /Succeeded: green runs 1\.4\.2 and is live; blue keeps 1\.4\.1 as the way back/,
      current: null,
    },
    rollingBack: {
      buttons: [],
      phrase: /Rolling back: blue \(1\.4\.1\) gets all traffic again/,
      current: 'switch the listener back to blue',
    },
    rollbackFailed: { buttons: ids('retry'), phrase: /ROLLBACK FAILED/, current: null },
    rolledBack: { buttons: [], phrase: /Rolled back: blue \(1\.4\.1\) is live/, current: null },
  },
};

const cases = (['mirror', 'steps', 'blueGreen'] as const).flatMap((strategy) =>
  Object.entries(EXPECTED[strategy]).map(([state, expected]) => ({
    strategy,
    state: state as ReleaseState,
    expected,
  })),
);

describe('an inconclusive release', () => {
  it('asks nothing in Slack before Promote: the agent checks the clicker first, then asks (stop-refusals.test.ts)', async () => {
    const { h, release } = await releaseIn('inconclusive');

    const promote = buttonsOf(releaseCard(release, h.now())).find((b) => b.action_id === ACTION_IDS.promote);

    expect(promote).toMatchObject({ style: 'primary' });
    expect(promote?.confirm).toBeUndefined();
  });
});

describe('the release card in every state', () => {
  it.each(cases)(
    '$strategy release $state: buttons, phrase, current step',
    async ({ strategy, state, expected }) => {
      const { h, release } = await releaseIn(state, strategy);

      const card = releaseCard(release, h.now());

      expect(actionIds(card).sort()).toEqual(expected.buttons);
      expect([...availableActions(release)].map((a) => ACTION_IDS[a]).sort()).toEqual(expected.buttons);
      for (const button of buttonsOf(card)) {
        expect(button.value).toBe(release.id);
        // Roll back and Abort ask nothing in Slack: the agent checks the clicker first (stop-confirm.ts).
        if (button.style === 'danger') expect(button.confirm).toBeUndefined();
      }
      expect(card.blocks[0]).toEqual({
        type: 'header',
        text: { type: 'plain_text', text: 'orders-api 1.4.1 → 1.4.2', emoji: true },
      });
      expect(stateLine(card)).toMatch(expected.phrase);
      const bold = timeline(card)
        .split('\n')
        .filter((line) => line.startsWith('▶'));
      expect(bold).toEqual(expected.current === null ? [] : [`▶ *${expected.current}*`]);
      expect(card.text).toMatch(/^\S+ orders-api 1\.4\.1 → 1\.4\.2: /);
      expect(card.text).not.toContain('\n');
      expectWithinLimits(card);
    },
  );
});

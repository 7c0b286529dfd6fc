import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { slackTime } from '../../adapters/slack-presentation/mrkdwn';
import { noticeReply } from '../../adapters/slack-presentation/notice-reply';
import {
  ACTION_IDS,
  actionOf,
  availableActions,
  type CardAction,
  releaseCard,
} from '../../adapters/slack-presentation/release-card';
import { transition } from '../../domain/release-machine';
import { requestRelease } from '../../domain/release-request';
import { addSeconds } from '../../domain/time';
import type { HostOperationStep, Release, ReleaseState, Rollback, RollbackReason } from '../../domain/types';
import { staleActionExplanation } from '../../handlers/slack/stale-actions';
import {
  APPROVER,
  BLUE_GREEN,
  blueGreenConfig,
  REQUESTER,
  serviceConfig,
} from '../../local/fixture-service-config';
import { harness } from '../support/harness';

type Harness = ReturnType<typeof harness>;
type Card = ReturnType<typeof releaseCard>;
type Drive = (h: Harness, id: string) => Promise<unknown>;

const requester = { kind: 'person', id: REQUESTER } as const;
const approver = { kind: 'person', id: APPROVER } as const;
const CANARY_ALARM = 'orders-api-canary-5xx';
const FAILING_HOST = 'i-0bbbbbbbbbbbbbbb2';

const raiseAlarm = (
  h: Harness,
  id: string,
  reason = 'Threshold Crossed: 3 datapoints were > 5.',
  alarmName = CANARY_ALARM,
) => h.service.apply(id, { kind: 'alarmChanged', alarmName, state: 'ALARM', reason, at: h.now() });
const approve = (h: Harness, id: string) => h.service.apply(id, { kind: 'approved', actor: approver });

/** How a mirror release reaches each state through the release service, with SSM, timers and alarms played back. */
const mirror: Partial<Record<ReleaseState, Drive>> = {
  deployingCanary: async () => {},
  startingMirror: (h) => h.finishCommand('deployCanary'),
  verifying: async (h, id) => {
    await mirror.startingMirror?.(h, id);
    await h.finishCommand('startMirror');
  },
  awaitingApproval: async (h, id) => {
    await mirror.verifying?.(h, id);
    await h.elapseWindow(id);
  },
  inconclusive: async (h, id) => {
    await mirror.verifying?.(h, id);
    h.setAlarm('orders-api-canary-5xx', 'INSUFFICIENT_DATA');
    await h.elapseWindow(id);
  },
  stoppingMirror: async (h, id) => {
    await mirror.awaitingApproval?.(h, id);
    await approve(h, id);
  },
  promoting: async (h, id) => {
    await mirror.stoppingMirror?.(h, id);
    await h.finishCommand('stopMirror');
  },
  cleaningUp: async (h, id) => {
    await mirror.promoting?.(h, id);
    await h.finishCommand('promote');
  },
  succeeded: async (h, id) => {
    await mirror.cleaningUp?.(h, id);
    await h.finishCommand('removeCanary');
  },
  rollingBack: async (h, id) => {
    await mirror.verifying?.(h, id);
    await raiseAlarm(h, id);
  },
  rollbackFailed: async (h, id) => {
    await mirror.rollingBack?.(h, id);
    await h.finishCommand('stopMirror', 'failed');
  },
  rolledBack: async (h, id) => {
    await mirror.rollingBack?.(h, id);
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');
  },
};

/** The same for a release in weighted steps of 10%, 50% and 100%. */
const steps: Partial<Record<ReleaseState, Drive>> = {
  deployingCanary: async () => {},
  shiftingTraffic: (h) => h.finishCommand('deployCanary'),
  verifying: async (h, id) => {
    await steps.shiftingTraffic?.(h, id);
    await h.finishCommand('shiftTraffic');
  },
  awaitingApproval: async (h, id) => {
    await steps.shiftingTraffic?.(h, id);
    for (let step = 0; step < 3; step++) {
      await h.finishCommand('shiftTraffic');
      await h.elapseWindow(id);
    }
  },
  promoting: async (h, id) => {
    await steps.awaitingApproval?.(h, id);
    await approve(h, id);
  },
  restoringProxy: async (h, id) => {
    await steps.promoting?.(h, id);
    await h.finishCommand('promote');
  },
  cleaningUp: async (h, id) => {
    await steps.restoringProxy?.(h, id);
    await h.finishCommand('stopMirror');
  },
  succeeded: async (h, id) => {
    await steps.cleaningUp?.(h, id);
    await h.finishCommand('removeCanary');
  },
  rollingBack: async (h, id) => {
    await steps.verifying?.(h, id);
    await raiseAlarm(h, id);
  },
  rollbackFailed: async (h, id) => {
    await steps.rollingBack?.(h, id);
    await h.finishCommand('stopMirror', 'failed');
  },
  rolledBack: async (h, id) => {
    await steps.rollingBack?.(h, id);
    await h.finishCommand('stopMirror');
    await h.finishCommand('removeCanary');
  },
};

/** The same for a blue/green release from blue to green; a throttled or refused switch holds it mid-way. */
const elsewhere =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/maintenance/0000000000000001';
const blueGreen: Partial<Record<ReleaseState, Drive>> = {
  deployingIdle: async () => {},
  switchingListener: async (h) => {
    h.failListenerCalls(1);
    await h.finishCommand('deployIdle');
  },
  verifying: (h) => h.finishCommand('deployIdle'),
  awaitingApproval: async (h, id) => {
    await blueGreen.verifying?.(h, id);
    await h.elapseWindow(id);
  },
  succeeded: async (h, id) => {
    await blueGreen.awaitingApproval?.(h, id);
    await approve(h, id);
  },
  rollingBack: async (h, id) => {
    await blueGreen.verifying?.(h, id);
    h.failListenerCalls(1);
    await raiseAlarm(h, id, 'Threshold Crossed', 'orders-api-green-5xx');
  },
  rollbackFailed: async (h, id) => {
    await blueGreen.verifying?.(h, id);
    h.listeners.pointAt(BLUE_GREEN.listenerArn, elsewhere);
    await raiseAlarm(h, id, 'Threshold Crossed', 'orders-api-green-5xx');
  },
  rolledBack: async (h, id) => {
    await blueGreen.verifying?.(h, id);
    await raiseAlarm(h, id, 'Threshold Crossed', 'orders-api-green-5xx');
  },
};

type StrategyName = 'mirror' | 'steps' | 'blueGreen';
const DRIVES: Record<StrategyName, Partial<Record<ReleaseState, Drive>>> = { mirror, steps, blueGreen };

async function releaseIn(
  state: ReleaseState,
  strategy: StrategyName = 'mirror',
  h: Harness = strategy === 'blueGreen'
    ? harness({
        configs: [blueGreenConfig()],
        listeners: { [BLUE_GREEN.listenerArn]: BLUE_GREEN.blue.targetGroupArn },
      })
    : harness(),
): Promise<{ h: Harness; release: Release }> {
  const choices = {
    mirror: {},
    steps: { strategy: { kind: 'steps', steps: [10, 50, 100] } },
    blueGreen: { strategy: { kind: 'blueGreen' } },
  } as const;
  const started = await h.service.start({
    service: 'orders-api',
    toVersion: '1.4.2',
    requestedBy: requester,
    ...choices[strategy],
  });
  if (!started.ok) throw new Error(started.message);
  const drive = DRIVES[strategy][state];
  if (!drive) throw new Error(`no ${strategy} path to ${state}`);
  await drive(h, started.release.id);
  const release = await h.load(started.release.id);
  expect(release.state).toBe(state);
  return { h, release };
}

const buttonsOf = (card: Card) =>
  card.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).filter((e) => e.type === 'button');
const actionIds = (card: Card) => buttonsOf(card).map((b) => b.action_id);
const sectionTexts = (card: Card) =>
  card.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
const fieldTexts = (card: Card) =>
  card.blocks.flatMap((b) => (b.type === 'section' ? (b.fields ?? []) : [])).map((f) => f.text);
const stateLine = (card: Card) => sectionTexts(card)[0] ?? '';
const timeline = (card: Card) => sectionTexts(card).find((t) => /^\*(Plan|Rollback)\*/.test(t)) ?? '';
const allText = (card: Card) => [card.text, ...sectionTexts(card), ...fieldTexts(card)].join('\n');

const ALLOWED_BLOCKS = new Set(['header', 'section', 'context', 'divider', 'actions']);

/** Block Kit's limits: a message over any of them is refused by chat.update. */
function expectWithinLimits(message: { text: string; blocks: readonly KnownBlock[] }) {
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeLessThan(3000);
  for (const block of message.blocks) {
    expect(ALLOWED_BLOCKS.has(block.type)).toBe(true);
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
    if (block.type === 'section') {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
      expect(block.text?.text.length ?? block.fields?.length ?? 0).toBeGreaterThan(0);
    }
    if (block.type === 'context') {
      expect(block.elements.length).toBeLessThanOrEqual(10);
      for (const e of block.elements) if ('text' in e) expect(e.text.length).toBeLessThanOrEqual(2000);
    }
    if (block.type === 'actions') {
      expect(block.block_id?.length ?? 0).toBeLessThanOrEqual(255);
      for (const button of block.elements) {
        if (button.type !== 'button') throw new Error('only buttons');
        expect(button.text.text.length).toBeLessThanOrEqual(75);
        expect(button.value?.length ?? 0).toBeLessThanOrEqual(2000);
        const c = button.confirm;
        if (c) {
          expect(c.title?.text.length ?? 0).toBeLessThanOrEqual(100);
          expect(c.text.text.length).toBeLessThanOrEqual(300);
          expect(c.confirm?.text.length ?? 0).toBeLessThanOrEqual(30);
          expect(c.deny?.text.length ?? 0).toBeLessThanOrEqual(30);
        }
      }
    }
  }
}

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
    cleaningUp: { buttons: FORWARD, phrase: /Removing the canary stack/, current: 'remove the canary' },
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
    cleaningUp: { buttons: FORWARD, phrase: /Removing the canary stack/, current: 'remove the canary' },
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
  it('asks before Promote, naming the alarms that gave no data', async () => {
    const { h, release } = await releaseIn('inconclusive');

    const promote = buttonsOf(releaseCard(release, h.now())).find((b) => b.action_id === ACTION_IDS.promote);

    expect(promote?.confirm?.title?.text).toBe('Promote 1.4.2 without data?');
    expect(promote?.confirm?.text.text).toContain('no data from orders-api-canary-5xx');
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
        if (button.style === 'danger')
          expect(button.confirm).toMatchObject({ title: {}, text: {}, confirm: {}, deny: {} });
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

describe('what the card says', () => {
  it('counts down the validation window from now, ending at the deadline minus the check margin', async () => {
    const { h, release } = await releaseIn('verifying');
    const windowEnd = addSeconds(release.run?.startedAt ?? '', 900);

    const card = releaseCard(release, addSeconds(h.now(), 5 * 60 + 30));

    expect(stateLine(card)).toContain(`Validation window ends ${slackTime(windowEnd)} (about 10 min left).`);
    expect(releaseCard(release, addSeconds(windowEnd, 10)).blocks[1]).toMatchObject({
      text: { text: expect.stringContaining('Validation window ended') },
    });
  });

  it('shows every watched alarm, "not read yet" until the check at the end of the window', async () => {
    const verifying = await releaseIn('verifying');
    const approving = await releaseIn('awaitingApproval');

    const before = sectionTexts(releaseCard(verifying.release, verifying.h.now())).join('\n');
    const after = sectionTexts(releaseCard(approving.release, approving.h.now())).join('\n');

    expect(before).toContain(`▫️ ${CANARY_ALARM}: not read yet`);
    expect(before).toContain('▫️ orders-api-stable-health: not read yet');
    expect(after).toMatch(new RegExp(`🟢 ${CANARY_ALARM}: \\*OK\\* as of <!date\\^\\d+`));
  });

  it('names who started, who approved and when, and the strategy', async () => {
    const { h, release } = await releaseIn('stoppingMirror');
    const approvedAt = release.approvals[0]?.at ?? '';

    const fields = fieldTexts(releaseCard(release, h.now()));

    expect(fields).toContain('*Strategy*\nmirroring 10%');
    expect(fields).toContain(`*Started by*\n<@${REQUESTER}> at ${slackTime(release.requestedAt)}`);
    expect(fields).toContain(`*Approvals*\n<@${APPROVER}> at ${slackTime(approvedAt)}`);
  });

  it('highlights the share the canary gets now among the steps', async () => {
    const { h, release } = await releaseIn('verifying', 'steps');

    expect(fieldTexts(releaseCard(release, h.now()))).toContain(
      '*Strategy*\nin steps of *10%* → 50% → 100%, each baked 15 min',
    );
  });

  it('says who aborted and shows the rollback steps instead of the plan', async () => {
    const h = harness();
    const { release: verifying } = await releaseIn('verifying', 'mirror', h);
    await h.service.apply(verifying.id, { kind: 'abortRequested', actor: requester });
    const release = await h.load(verifying.id);

    const card = releaseCard(release, h.now());

    expect(fieldTexts(card)).toContain(
      `*Rolling back because*\naborted by <@${REQUESTER}> at ${slackTime(h.now())}`,
    );
    expect(timeline(card)).toBe('*Rollback*\n▶ *stable hosts back on nginx*\n○ remove the canary');
  });

  it('gives the alarm and its reason as the cause of a rollback', async () => {
    const { h, release } = await releaseIn('rolledBack');

    const card = releaseCard(release, h.now());

    expect(fieldTexts(card).find((f) => f.startsWith('*Rolled back because*'))).toMatch(
      /^\*Rolled back because\*\nAlarm orders-api-canary-5xx is ALARM at <!date\^\d+\^\{time\}\|14:00 UTC>\n> Threshold Crossed/,
    );
    expect(timeline(card)).toBe('*Rollback*\n✓ stable hosts back on nginx\n✓ remove the canary');
    expect(allText(card)).toMatch(new RegExp(`🔴 ${CANARY_ALARM}: \\*ALARM\\*`));
  });

  it('makes a failed rollback loud: step, host, status, the proxy left in place, and how to retry', async () => {
    const { h, release } = await releaseIn('rollbackFailed', 'steps');

    const card = releaseCard(release, h.now());

    const text = stateLine(card);
    expect(text).toContain('🚨 *ROLLBACK FAILED');
    expect(text).toContain(
      `The rollback stopped at *stopMirror*: failed on host ${FAILING_HOST} (attempt 1).`,
    );
    expect(text).toContain("the stable hosts may still serve through the agent's proxy");
    expect(text).toContain('Press *Retry rollback* (or `/canary retry orders-api`)');
    expect(timeline(card)).toContain('✗ *stable hosts back on nginx: failed*');
    expect(buttonsOf(card)).toEqual([
      expect.objectContaining({
        text: expect.objectContaining({ text: 'Retry rollback' }),
        style: 'primary',
      }),
    ]);
    expect(card.text).toContain('ROLLBACK FAILED');
  });

  it('shows the fleet progress from the hosts reported so far', async () => {
    const { h, release: cleaning } = await releaseIn('promoting');
    const { commandId } = h.lastCommand('promote');
    await h.service.applyToCommand(commandId, {
      kind: 'hostCommandFinished',
      commandId,
      hostId: 'i-0aaaaaaaaaaaaaaa1',
      status: 'success',
    });
    const release = await h.load(cleaning.id);

    const text = sectionTexts(releaseCard(release, h.now())).join('\n');

    expect(text).toContain(
      '*Hosts*: promote on the stable fleet, running\n1 done · 0 failed · 0 pending, of 1 reported so far',
    );
  });

  it('says the rollback waits for a running operation to stop first', async () => {
    const h = harness();
    const { release: promoting } = await releaseIn('promoting', 'mirror', h);
    await h.service.apply(promoting.id, { kind: 'rollbackRequested', actor: approver });
    const release = await h.load(promoting.id);

    const card = releaseCard(release, h.now());

    expect(timeline(card).split('\n')[1]).toBe('▶ *wait for promote to end*');
    expect(fieldTexts(card)).toContain(
      `*Rolling back because*\nrollback requested by <@${APPROVER}> at ${slackTime(h.now())}`,
    );
  });

  it('names the colour a blue/green deploy runs on, and a switch the rollback waits for', async () => {
    const { h, release } = await releaseIn('deployingIdle', 'blueGreen');
    expect(allText(releaseCard(release, h.now()))).toContain(
      '*Hosts*: deployIdle on the green fleet, running',
    );

    h.failListenerCalls(1);
    await h.finishCommand('deployIdle');
    await h.service.apply(release.id, { kind: 'abortRequested', actor: requester });
    const waiting = await h.load(release.id);
    expect(timeline(releaseCard(waiting, h.now())).split('\n').slice(1)).toEqual([
      '▶ *wait for the listener switch to end*',
      '○ switch the listener back to blue',
    ]);
  });

  it('says where a blue/green rollback stopped and what the listener may still do', async () => {
    const { h, release } = await releaseIn('rollbackFailed', 'blueGreen');
    const text = allText(releaseCard(release, h.now()));
    expect(text).toContain('The rollback stopped at *the listener switch back*: failed');
    expect(text).toContain('the listener may still forward to green (1.4.2)');
    expect(text).toContain('Alarm orders-api-green-5xx is ALARM');
  });

  it('lists warnings', async () => {
    const { h, release: cleaning } = await releaseIn('cleaningUp');
    await h.finishCommand('removeCanary', 'failed');
    const release = await h.load(cleaning.id);

    expect(sectionTexts(releaseCard(release, h.now()))).toContain(
      '⚠️ *Warnings*\n• removeCanary ended: failed; clean it up by hand.',
    );
  });

  it('collapses a long step plan: done and later steps share a line each', async () => {
    const h = harness();
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'steps', steps: [1, 2, 5, 10, 20, 30, 50, 70, 90, 100] },
    });
    if (!started.ok) throw new Error(started.message);
    await h.finishCommand('deployCanary');
    for (let step = 0; step < 4; step++) {
      await h.finishCommand('shiftTraffic');
      await h.elapseWindow(started.release.id);
    }
    await h.finishCommand('shiftTraffic');
    const release = await h.load(started.release.id);

    expect(timeline(releaseCard(release, h.now()))).toBe(
      [
        '*Plan*',
        '✓ deploy 1.4.2 to the canary',
        '✓ 1% → 2% → 5% → 10% of users',
        '▶ *20% of users, bake 15 min*',
        '○ 30% → 50% → 70% → 90% → 100% of users',
        '○ approval',
        '○ promote 1.4.2 on the stable fleet',
        '○ stable hosts back on their own nginx',
        '○ remove the canary',
      ].join('\n'),
    );
  });

  it("asks for each step's approval to raise the share, with the approval part of its step", async () => {
    const h = harness({ configs: [serviceConfig({ steps: { approveEachStep: true } })] });
    const started = await h.service.start({
      service: 'orders-api',
      toVersion: '1.4.2',
      requestedBy: requester,
      strategy: { kind: 'steps', steps: [10, 50, 100] },
    });
    if (!started.ok) throw new Error(started.message);
    const id = started.release.id;
    await h.finishCommand('deployCanary');
    await h.finishCommand('shiftTraffic');
    await h.elapseWindow(id);
    const approving = await h.load(id);
    await approve(h, id);
    await h.finishCommand('shiftTraffic');
    const baking = await h.load(id);

    const card = releaseCard(approving, h.now());

    expect(stateLine(card)).toContain('press Promote to send 50% of users to the canary');
    expect(timeline(card)).toContain('▶ *10% of users, bake 15 min, approval*\n○ 50% → 100% of users');
    expect(staleActionExplanation(baking, await h.store.history(id), 'promote')).toBe(
      'Not waiting for approval yet: the release is verifying; Promote comes back when it is.',
    );
  });

  it('shows a pipeline that started a release by its name, escaped', () => {
    const result = requestRelease({
      releaseId: 'orders-api-r9',
      config: serviceConfig(),
      fromVersion: '1.4.1',
      toVersion: '1.4.2',
      requestedBy: { kind: 'pipeline', id: 'orders-ci <main>' },
      now: '2026-11-22T14:00:00.000Z',
    });
    if (!result.ok) throw new Error(result.message);

    expect(fieldTexts(releaseCard(result.release, result.release.requestedAt))[1]).toBe(
      `*Started by*\norders-ci &lt;main&gt; (pipeline) at ${slackTime('2026-11-22T14:00:00.000Z')}`,
    );
  });
});

describe('escaping', () => {
  it('escapes an alarm reason so it can neither broadcast nor mention', async () => {
    const h = harness();
    const { release: verifying } = await releaseIn('verifying', 'mirror', h);
    await raiseAlarm(h, verifying.id, '<!channel> & <@U123>');
    const release = await h.load(verifying.id);

    const card = releaseCard(release, h.now());

    const json = JSON.stringify(card);
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U123>');
    expect(json).toContain(`<@${REQUESTER}>`);
  });

  it('mentions the acting person but escapes a comment that carries mentions', async () => {
    const { release } = await releaseIn('verifying');

    const reply = noticeReply(release, { kind: 'rejected', by: APPROVER, comment: '<@U0ATTACKER> <!here>' });

    const json = JSON.stringify(reply);
    expect(json).toContain(`Rejected by <@${APPROVER}>. “&lt;@U0ATTACKER&gt; &lt;!here&gt;”`);
    expect(json).not.toMatch(/<!here>|<@U0ATTACKER>/);
  });

  it('escapes a host output, and never mentions an actor id that is not a Slack user id', async () => {
    const { release } = await releaseIn('verifying');

    const reply = noticeReply(release, {
      kind: 'hostResult',
      operation: 'deployCanary',
      hostId: 'i-1',
      status: 'failed',
      output: 'deploy failed\n<!channel> & co',
      leadsTo: 'rollingBack',
    });
    const aborted = noticeReply(release, { kind: 'aborted', by: '!channel' });

    const json = JSON.stringify([reply, aborted]);
    expect(json).toContain('&lt;!channel&gt; &amp; co');
    expect(json).toContain('Aborted by !channel.');
    expect(json).not.toMatch(/<!channel>|<@!/);
  });

  it('shows a legacy note (stored as text) fully escaped, mentions included', async () => {
    const { release } = await releaseIn('verifying');

    const reply = noticeReply(release, { kind: 'legacy', text: `Approved by <@${APPROVER}>. <!here>` });

    expect(JSON.stringify(reply)).toContain(`Approved by &lt;@${APPROVER}&gt;. &lt;!here&gt;`);
  });
});

describe('limits', () => {
  it('keeps a hostile release within every Block Kit limit', async () => {
    const { h, release } = await releaseIn('rollbackFailed', 'steps');
    const hostile = '<!channel> & '.repeat(20);
    const alarms = Array.from({ length: 100 }, (_, i) => `${'a'.repeat(195)}-${i}`);
    const hosts = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`i-${hostile}${i}`, i % 2 ? 'failed' : 'success'] as const),
    );
    const manySteps = Array.from({ length: 200 }, (_, i) => i / 2);
    const step = release.plan[1] as HostOperationStep;
    const absurd: Release = {
      ...release,
      id: `r-${'x'.repeat(400)}`,
      service: 's'.repeat(200),
      fromVersion: 'v'.repeat(200),
      toVersion: hostile,
      strategy: { kind: 'steps', steps: manySteps, bakeSeconds: 900 },
      plan: [
        ...release.plan,
        ...manySteps.map((p) => ({ ...step, parameters: { CanaryPercent: String(p) } })),
      ],
      requestedBy: { kind: 'pipeline', id: hostile.repeat(50) },
      policy: { ...release.policy, watchedAlarms: alarms },
      alarms: Object.fromEntries(
        alarms.map((name) => [name, { state: 'ALARM', reason: hostile.repeat(100), at: h.now() }]),
      ),
      warnings: Array.from({ length: 100 }, () => hostile.repeat(10)),
      approvals: Array.from({ length: 300 }, () => ({ by: APPROVER, at: h.now() })),
      run: {
        kind: 'hostOperation',
        stepId: 's',
        origin: 'plan',
        step: { ...step, operation: 'stopMirror' },
        startedAt: h.now(),
        deadlineAt: h.now(),
        commandId: hostile,
        hosts,
      },
      rollback: {
        reason: { kind: 'alarm', alarmName: hostile.repeat(5), reason: hostile.repeat(500) },
        startedAt: 'not a date',
        steps: release.rollback?.steps ?? [],
        cursor: 0,
        attempts: 7,
        failure: { hostId: hostile.repeat(10), status: 'failed', output: 'x\n'.repeat(5000) },
      },
    };

    const card = releaseCard(absurd, h.now());

    expectWithinLimits(card);
    expect(JSON.stringify(card)).not.toContain('<!channel>');
    expect(actionIds(card)).toEqual([ACTION_IDS.retry]);
  });

  it('keeps a huge command output to its last 15 lines in one closed code block', async () => {
    const { release } = await releaseIn('rollbackFailed');
    const output = Array.from(
      { length: 5000 },
      (_, i) => `line ${i} ${'y'.repeat(i === 4999 ? 5000 : 10)}`,
    ).join('\n');

    const reply = noticeReply(release, {
      kind: 'legacy',
      text: 'x'.repeat(5000),
      detail: `stopMirror on ${FAILING_HOST}: failed\n${output}\n\`\`\` break out`,
    });

    expectWithinLimits(reply);
    const code = reply.blocks[1]?.type === 'section' ? (reply.blocks[1].text?.text ?? '') : '';
    expect(code.startsWith('```\n')).toBe(true);
    expect(code.endsWith('\n```')).toBe(true);
    expect(code.match(/```/g)).toHaveLength(2);
    expect(code).toContain('break out');
    expect(code).not.toContain('line 4984 ');
    expect(reply.blocks[2]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '4987 earlier lines not shown.' }],
    });
  });

  it('shows a short detail whole', async () => {
    const { release } = await releaseIn('rollingBack');

    const reply = noticeReply(release, {
      kind: 'alarmFired',
      alarmName: 'orders-api-canary-5xx',
      reason: 'Threshold Crossed',
    });

    expect(reply.text).toBe('orders-api 1.4.2: Alarm orders-api-canary-5xx is ALARM. Rolling back.');
    expect(reply.blocks).toEqual([
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'Alarm orders-api-canary-5xx is ALARM. Rolling back.' },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '```\nThreshold Crossed\n```' } },
    ]);
  });
});

describe('staleActionExplanation', () => {
  it('names the approver and the time when Promote was already pressed', async () => {
    const { h, release } = await releaseIn('promoting');
    const history = await h.store.history(release.id);
    const approvedAt = history.find((e) => e.cause === 'approved')?.at ?? '';

    expect(staleActionExplanation(release, history, 'promote')).toBe(
      `Already promoted: approved by <@${APPROVER}> at ${slackTime(approvedAt)}.`,
    );
  });

  it.each(['promote', 'rollback', 'abort', 'retry'] as const)(
    'refuses %s after the release succeeded',
    async (action) => {
      const { h, release } = await releaseIn('succeeded');
      const history = await h.store.history(release.id);

      expect(staleActionExplanation(release, history, action)).toBe(
        `This release already ended: it succeeded at ${slackTime(release.updatedAt)}, approved by <@${APPROVER}> at ${slackTime(release.approvals[0]?.at ?? '')}.`,
      );
    },
  );

  it.each(['promote', 'rollback', 'abort', 'retry'] as const)(
    'refuses %s after a rollback, saying why',
    async (action) => {
      const { h, release } = await releaseIn('rolledBack');
      const history = await h.store.history(release.id);

      expect(staleActionExplanation(release, history, action)).toBe(
        `This release already ended: rolled back at ${slackTime(release.updatedAt)}, after Alarm ${CANARY_ALARM} is ALARM.`,
      );
    },
  );

  it('says who aborted when someone presses Abort during the rollback', async () => {
    const h = harness();
    const { release: verifying } = await releaseIn('verifying', 'mirror', h);
    await h.service.apply(verifying.id, { kind: 'abortRequested', actor: requester });
    h.advance(30);
    const release = await h.load(verifying.id);

    expect(staleActionExplanation(release, await h.store.history(release.id), 'abort')).toBe(
      `Already rolling back: aborted by <@${REQUESTER}> at ${slackTime(addSeconds(h.now(), -30))}.`,
    );
  });

  it('refuses a retry unless the rollback failed', async () => {
    const verifying = await releaseIn('verifying');
    const rolling = await releaseIn('rollingBack');
    const failed = await releaseIn('rollbackFailed');

    expect(staleActionExplanation(verifying.release, [], 'retry')).toBe(
      'Nothing to retry: only a failed rollback can be retried, and this release is verifying.',
    );
    expect(staleActionExplanation(rolling.release, [], 'retry')).toMatch(
      /^The rollback is still running \(Alarm/,
    );
    expect(staleActionExplanation(failed.release, [], 'retry')).toBeNull();
    expect(staleActionExplanation(failed.release, [], 'abort')).toMatch(
      /^Already rolling back: .* The rollback failed: press Retry rollback/,
    );
  });

  it('returns null while the action applies, and explains an early Promote', async () => {
    const approving = await releaseIn('awaitingApproval');
    const verifying = await releaseIn('verifying');

    expect(staleActionExplanation(approving.release, [], 'promote')).toBeNull();
    expect(staleActionExplanation(approving.release, [], 'abort')).toBeNull();
    expect(staleActionExplanation(verifying.release, [], 'promote')).toMatch(
      /^Not waiting for approval yet: the release is verifying/,
    );
  });
});

describe('action ids and times', () => {
  it('maps action ids both ways', () => {
    for (const action of ['promote', 'rollback', 'abort', 'retry'] as const)
      expect(actionOf(ACTION_IDS[action])).toBe(action);
    expect(ACTION_IDS).toEqual({
      promote: 'canary_promote',
      rollback: 'canary_rollback',
      abort: 'canary_abort',
      retry: 'canary_retry',
    });
    expect(actionOf('someone_elses_button')).toBeNull();
  });

  it("writes Slack's local-time token with a UTC fallback, and never throws on a bad instant", () => {
    expect(slackTime('2023-11-14T22:13:20.000Z')).toBe('<!date^1700000000^{time}|22:13 UTC>');
    expect(slackTime('<b>')).toBe('&lt;b&gt;');
  });
});

describe('rollback reasons on the card', () => {
  const reasons: [RollbackReason, string][] = [
    [
      { kind: 'alarm', alarmName: CANARY_ALARM, reason: 'Threshold Crossed' },
      `Alarm ${CANARY_ALARM} is ALARM`,
    ],
    [
      {
        kind: 'hostOperationFailed',
        operation: 'deployCanary',
        hostId: 'i-0ccccccccccccccc3',
        status: 'timedOut',
      },
      'deployCanary timedOut on i-0ccccccccccccccc3',
    ],
    [{ kind: 'aborted', by: REQUESTER }, `aborted by <@${REQUESTER}>`],
    [{ kind: 'rolledBackByPerson', by: APPROVER }, `rollback requested by <@${APPROVER}>`],
    [{ kind: 'rejected', by: APPROVER, comment: 'p99 > 2s' }, `rejected by <@${APPROVER}>`],
    [
      { kind: 'canaryStackFailed', reason: 'stack <CREATE_FAILED>' },
      'the canary stack failed: stack &lt;CREATE_FAILED&gt;',
    ],
    [{ kind: 'deadlineExceeded', state: 'promoting' }, 'no progress in promoting before its deadline'],
  ];

  it.each(reasons)('says why: %j', async (reason, phrase) => {
    const { h, release: rolling } = await releaseIn('rollingBack');
    const release: Release = { ...rolling, rollback: { ...(rolling.rollback as Rollback), reason } };

    const field = fieldTexts(releaseCard(release, h.now())).find((f) =>
      f.startsWith('*Rolling back because*'),
    );

    expect(field).toContain(
      `*Rolling back because*\n${phrase} at ${slackTime(release.rollback?.startedAt ?? '')}`,
    );
    if (reason.kind === 'rejected') expect(field).toContain('\n> p99 &gt; 2s');
  });
});

describe('more stale actions', () => {
  it('names who already retried a failed rollback', async () => {
    const { h, release: failed } = await releaseIn('rollbackFailed');
    await h.service.apply(failed.id, { kind: 'rollbackRetried', actor: requester });
    const release = await h.load(failed.id);

    expect(release.state).toBe('rollingBack');
    expect(staleActionExplanation(release, await h.store.history(release.id), 'retry')).toBe(
      `Already retried by <@${REQUESTER}> at ${slackTime(h.now())}; the rollback is running again.`,
    );
  });

  it('says the window is over while the alarms are being read', async () => {
    const { h, release: verifying } = await releaseIn('verifying');
    const run = verifying.run;
    if (run?.kind !== 'validate') throw new Error('the release should be in its validation window');
    const t = transition(verifying, { kind: 'timerElapsed', timerId: run.timerId }, run.windowEndsAt);
    if (!t.ok) throw new Error(t.message);

    expect(stateLine(releaseCard(t.release, h.now()))).toContain(
      'Validation window over: reading the watched alarms.',
    );
  });
});

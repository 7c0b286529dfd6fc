/**
 * Drives a release to any state through the release service, and reads the card it gets:
 * shared by the release-card-*.test.ts files.
 */
import type { KnownBlock } from '@slack/types';
import { expect } from 'vitest';
import type { releaseCard } from '../../adapters/slack-presentation/release-card';
import type { Release, ReleaseState } from '../../domain/types';
import { APPROVER, BLUE_GREEN, blueGreenConfig, REQUESTER } from '../../local/fixture-service-config';
import { harness } from '../support/harness';

type Harness = ReturnType<typeof harness>;
type Card = ReturnType<typeof releaseCard>;
type Drive = (h: Harness, id: string) => Promise<unknown>;

export const requester = { kind: 'person', id: REQUESTER } as const;
export const approver = { kind: 'person', id: APPROVER } as const;
export const CANARY_ALARM = 'orders-api-canary-5xx';
export const FAILING_HOST = 'i-0bbbbbbbbbbbbbbb2';

export const raiseAlarm = (
  h: Harness,
  id: string,
  reason = 'Threshold Crossed: 3 datapoints were > 5.',
  alarmName = CANARY_ALARM,
) => h.service.apply(id, { kind: 'alarmChanged', alarmName, state: 'ALARM', reason, at: h.now() });
export const approve = (h: Harness, id: string) => h.service.apply(id, { kind: 'approved', actor: approver });

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

export type StrategyName = 'mirror' | 'steps' | 'blueGreen';
const DRIVES: Record<StrategyName, Partial<Record<ReleaseState, Drive>>> = { mirror, steps, blueGreen };

export async function releaseIn(
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

export const buttonsOf = (card: Card) =>
  card.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).filter((e) => e.type === 'button');
export const actionIds = (card: Card) => buttonsOf(card).map((b) => b.action_id);
export const sectionTexts = (card: Card) =>
  card.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
export const fieldTexts = (card: Card) =>
  card.blocks.flatMap((b) => (b.type === 'section' ? (b.fields ?? []) : [])).map((f) => f.text);
export const stateLine = (card: Card) => sectionTexts(card)[0] ?? '';
export const timeline = (card: Card) => sectionTexts(card).find((t) => /^\*(Plan|Rollback)\*/.test(t)) ?? '';
export const allText = (card: Card) => [card.text, ...sectionTexts(card), ...fieldTexts(card)].join('\n');

const ALLOWED_BLOCKS = new Set(['header', 'section', 'context', 'divider', 'actions']);

/** Block Kit's limits: a message over any of them is refused by chat.update. */
export function expectWithinLimits(message: { text: string; blocks: readonly KnownBlock[] }) {
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

/**
 * Drives a group release of front → orders-api → payments (steps of 10% and 100%, a 5-minute bake per member)
 * through the release service to the states its card is read in: shared by the group card and notice tests.
 */
import { expect } from 'vitest';
import type { Release, ReleaseState } from '../../domain/types';
import { approver, groupHarness, type Harness, startGroupOf } from '../app/group-fixtures';

type Stage =
  | 'verifying'
  | 'awaitingApproval'
  | 'promotingSecond'
  | 'rolledBackAfterFirst'
  | 'succeeded'
  | 'rollbackFailed';

const STATE_OF: Readonly<Record<Stage, ReleaseState>> = {
  verifying: 'verifying',
  awaitingApproval: 'awaitingApproval',
  promotingSecond: 'promoting',
  rolledBackAfterFirst: 'rolledBack',
  succeeded: 'succeeded',
  rollbackFailed: 'rollbackFailed',
};

const times = async (n: number, act: () => Promise<unknown>) => {
  for (let i = 0; i < n; i++) await act();
};

/** Every canary deployed and every routing proxy in place (downstream first), the entry's 10% window running. */
async function verifying(h: Harness) {
  await times(3, () => h.finishCommand('deployCanary'));
  await times(3, () => h.finishCommand('shiftTraffic'));
}

async function awaitingApproval(h: Harness, id: string) {
  await verifying(h);
  await h.elapseWindow(id);
  await h.finishCommand('shiftTraffic');
  await h.elapseWindow(id);
}

/** payments promoted, baked and settled; orders-api's promotion running. */
async function promotingSecond(h: Harness, id: string) {
  await awaitingApproval(h, id);
  await h.service.apply(id, { kind: 'approved', actor: approver });
  await h.finishCommand('promote');
  await h.elapseWindow(id);
}

const DRIVES: Readonly<Record<Stage, (h: Harness, id: string) => Promise<void>>> = {
  verifying,
  awaitingApproval,
  promotingSecond,
  rolledBackAfterFirst: async (h, id) => {
    await promotingSecond(h, id);
    await h.finishCommand('promote', 'failed');
    await times(3, () => h.finishCommand('stopMirror'));
    await h.finishCommand('restoreStable');
    await times(3, () => h.finishCommand('removeCanary'));
  },
  succeeded: async (h, id) => {
    await promotingSecond(h, id);
    await times(2, async () => {
      await h.finishCommand('promote');
      await h.elapseWindow(id);
    });
    await times(3, () => h.finishCommand('stopMirror'));
    await times(3, () => h.finishCommand('removeCanary'));
  },
  rollbackFailed: async (h) => {
    await verifying(h);
    await h.service.alarmChanged(
      { alarmName: 'payments-canary-5xx', state: 'ALARM', reason: 'Threshold Crossed', at: h.now() },
      'alarm-payments',
    );
    await h.finishCommand('stopMirror', 'failed');
  },
};

/** A real group release of the chain's first three services, driven to `stage`. */
export async function groupIn(
  stage: Stage,
  before: (h: Harness) => void = () => {},
): Promise<{ h: Harness; release: Release }> {
  const { h, services } = groupHarness(3, (c) => ({ ...c, promotion: { ...c.promotion, bakeSeconds: 300 } }));
  before(h);
  const id = await startGroupOf(h, services);
  await DRIVES[stage](h, id);
  const release = await h.load(id);
  expect(release.state).toBe(STATE_OF[stage]);
  return { h, release };
}

/** The section that lists the members, as the card renders it. */
export const membersSection = (texts: readonly string[]) =>
  texts.find((t) => t.startsWith('*Members*')) ?? '';

import { CONFIRMED_ACTION_IDS, type StopAction } from '../adapters/slack-presentation/stop-confirm';
import type { Release } from '../domain/types';
import type { Sandbox } from './sandbox';

/** What a person does in the sandbox's Slack, as the demo and the tests do it: typed commands and pressed buttons. */

export const ended = (r: Release) =>
  r.state === 'succeeded' || r.state === 'rolledBack' || r.state === 'rollbackFailed';

/** Whether a message holds the button `actionId` for `releaseId`. */
export function hasButton(blocks: readonly unknown[], actionId: string, releaseId: string): boolean {
  return blocks.some((b) =>
    ((b as { elements?: { action_id?: string; value?: string }[] }).elements ?? []).some(
      (e) => e.action_id === actionId && e.value === releaseId,
    ),
  );
}

/**
 * Roll back or Abort pressed on a card is first checked, then answered with a confirm step to the presser only:
 * press its button. Resolves once the click is answered.
 */
export async function confirmStop(sandbox: Sandbox, user: string, action: StopAction, releaseId: string) {
  const actionId = CONFIRMED_ACTION_IDS[action];
  const answer = await sandbox.slack.waitForMessage(
    (m) => m.visibleTo === user && hasButton(m.blocks, actionId, releaseId),
  );
  await sandbox.slack.click(user, answer.id, actionId, releaseId, `confirm:${releaseId}`);
}

/** `/canary revert` as `approver` types it, then the confirm button its answer holds; resolves when it ends. */
export async function revertInSlack(sandbox: Sandbox, approver: string, of: Release): Promise<Release> {
  await sandbox.slack.command(approver, `revert ${of.service}`);
  const answer = await sandbox.slack.waitForMessage((m) => hasButton(m.blocks, 'canary_revert', of.id));
  await sandbox.slack.click(approver, answer.id, 'canary_revert', of.id, `revert:${of.id}`);
  const releaseId = await activeRelease(sandbox, of.service);
  const done = await sandbox.waitFor(releaseId, ended, 120_000);
  // The revert's last change is saved before its effects (the notices) have run.
  await sandbox.settled();
  return done;
}

/** The release the confirm button started: the click is answered before the release is written. */
async function activeRelease(sandbox: Sandbox, service: string): Promise<string> {
  for (let tries = 0; tries < 100; tries++) {
    const id = await sandbox.store.activeReleaseId(service);
    if (id !== null) return id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the revert did not start');
}

/** A group release as a person runs it: typed, held at the approval (or ended), approved if it waits for one. */
export interface GroupRun {
  /** The release when it first waited for the approval (or was held without a verdict), or ended without one. */
  readonly held: Release;
  readonly done: Release;
}

/**
 * `/canary start group …` (or an ad hoc `/canary start a=1 b=2`) as `requester` types it, `entry` its first member; `atApproval` runs while
 * it waits for approval (a test looks at the chain then), then `approver` presses Promote. Resolves when it ends.
 */
export async function groupInSlack(
  sandbox: Sandbox,
  people: { readonly requester: string; readonly approver: string },
  entry: string,
  command: string,
  atApproval: (release: Release) => Promise<void> = async () => {},
): Promise<GroupRun> {
  const { reply } = await sandbox.slack.command(people.requester, command);
  const releaseId = await sandbox.store.activeReleaseId(entry);
  if (releaseId === null) throw new Error(`/canary ${command} was refused: ${reply}`);
  // Held without a verdict (inconclusive) is as far as it goes without a person: the caller sees that state.
  const waiting = (r: Release) => r.state === 'awaitingApproval' || r.state === 'inconclusive' || ended(r);
  await sandbox.waitFor(releaseId, waiting, 120_000);
  // As the card shows it once the window's last reads (the path counts) are in.
  await sandbox.settled();
  const held = await sandbox.waitFor(releaseId, waiting);
  if (held.state === 'awaitingApproval') {
    await atApproval(held);
    const card = await sandbox.slack.waitForMessage((m) => hasButton(m.blocks, 'canary_promote', releaseId));
    await sandbox.slack.click(people.approver, card.id, 'canary_promote', releaseId, `release:${releaseId}`);
  }
  if (held.state === 'inconclusive') return { held, done: held };
  const done = await sandbox.waitFor(releaseId, ended, 120_000);
  await sandbox.settled();
  return { held, done };
}

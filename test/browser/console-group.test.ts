/**
 * A group release in the sandbox's console, in Chromium: ana types `/canary start group checkout …` for the chain
 * (front -> orders-api -> payments), one card follows the whole group, shows each member with its versions and
 * where its canary's requests came from (the entry colours them, the members below it only see tagged ones), ben
 * promotes it from the card, and the card ends with every member on its new version; a screenshot is saved.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { GroupMember } from '../../domain/group';
import type { Release } from '../../domain/types';
import { ANA, actAs, BEN, CARD_WAIT, consoleSandbox, typeCommand } from './console-fixture';

const HEADER = 'checkout: front + orders-api + payments';
/** The chain's members in call order, with the versions the sandbox starts them on and the ones released. */
const MEMBERS = [
  { service: 'front', from: '1.9.0', to: '1.9.1' },
  { service: 'orders-api', from: '1.4.1', to: '1.4.2' },
  { service: 'payments', from: '2.0.0', to: '2.0.1' },
] as const;
const COMMAND = `/canary start group checkout ${MEMBERS.map((m) => `${m.service}=${m.to}`).join(' ')}`;
/** The default steps' three windows at speedUp 20, with the routing set up before them; or the promotions. */
const GROUP_WAIT = 120_000;
const SCREENSHOT = resolve('test-results', 'console-group.png');
const AT_APPROVAL = resolve('test-results', 'console-group-approval.png');

const world = consoleSandbox();

const membersOf = (release: Release): readonly GroupMember[] => release.group?.members ?? [];
/** The card's line for one member, as the console shows it (one line a member in the members section). */
async function memberLine(members: Locator, service: string): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: only the rendered text keeps the card's line breaks.
  const lines = (await members.innerText()).split('\n');
  return lines.find((line) => line.includes(` ${service} `)) ?? '';
}

describe('a group release in the sandbox console', () => {
  it('follows the whole group on one card, with each member’s path counts, to its promotion', async () => {
    const sandbox = world.sandbox();
    const { page, pageErrors } = await world.open(ANA, { width: 1280, height: 1400 });
    await typeCommand(page, COMMAND);

    const started = page.locator('.body.ephemeral', { hasText: 'Started the group checkout' });
    await started.waitFor({ timeout: 10_000 });
    expect(await started.textContent()).toContain(
      MEMBERS.map((m) => `${m.service} ${m.from} → ${m.to}`).join(', '),
    );
    const cards = page.locator('.message', { has: page.locator('.block.header', { hasText: HEADER }) });
    await cards.first().waitFor({ timeout: 10_000 });
    expect(await cards.count()).toBe(1);
    const cardTs = await cards.getAttribute('data-ts');
    const card = cards.first();
    const members = card.locator('.block', { hasText: 'Members, in call order' });
    const promote = card.locator('button[data-action-id="canary_promote"]');

    // The group waits for one approval once its windows passed, its path counted at every member.
    const releaseId = (await sandbox.store.activeReleaseId('front')) ?? '';
    const waiting = (r: Release) => r.state === 'awaitingApproval' || r.state === 'rolledBack';
    await sandbox.waitFor(releaseId, waiting, GROUP_WAIT);
    await sandbox.settled();
    const held = await sandbox.waitFor(releaseId, waiting);
    expect(held.state).toBe('awaitingApproval');
    const [entry, ...downstream] = membersOf(held).map((m) => m.path ?? { tagged: -1, untagged: -1 });
    // The entry chose its canary's requests itself; the members below got only the ones it tagged.
    expect(entry?.untagged).toBeGreaterThan(0);
    for (const below of downstream) {
      expect(below.tagged).toBeGreaterThan(0);
      expect(below.untagged).toBe(0);
    }
    await card.getByText('Waiting for approval').waitFor({ timeout: CARD_WAIT });
    await promote.waitFor({ timeout: CARD_WAIT });
    // The card shows the counts as stored once the last window's are in (the approver judges on them).
    const n = (value: number) => value.toLocaleString('en-US');
    const stored = new RegExp(
      [
        `${n(entry?.untagged ?? -1)} coloured here`,
        ...downstream.map((d) => `${n(d.tagged)} tagged · 0 untagged`),
      ].join('.*'),
    );
    await members.filter({ hasText: stored }).waitFor({ timeout: CARD_WAIT });
    mkdirSync('test-results', { recursive: true });
    await card.screenshot({ path: AT_APPROVAL, animations: 'disabled' });

    // Every member with its versions and the requests its canary got: the entry's own (it coloured them), then
    // each downstream member's, all tagged, none untagged.
    const shown = await Promise.all(MEMBERS.map((m) => memberLine(members, m.service)));
    for (const [i, m] of MEMBERS.entries()) expect(shown[i]).toContain(`${m.service} ${m.from} → ${m.to} · `);
    expect(shown[0]).toMatch(/ · entry: colours requests · .* · [1-9][\d,]* coloured here$/);
    for (const line of shown.slice(1)) {
      expect(line).toMatch(/ · downstream: routes tagged requests · .* · [1-9][\d,]* tagged · 0 untagged$/);
    }
    expect(await members.textContent()).not.toContain('⚠️');

    // ben approves; the same card follows the promotions, downstream first, to the end.
    await actAs(page, BEN);
    await promote.click();
    await promote.waitFor({ state: 'detached', timeout: CARD_WAIT });
    await card.getByText('Succeeded: every member runs its new version').waitFor({ timeout: GROUP_WAIT });

    expect(await cards.count()).toBe(1);
    expect(await cards.getAttribute('data-ts')).toBe(cardTs);
    expect(await card.locator('button.bk').count()).toBe(0);
    expect(await card.textContent()).toContain(
      'payments, orders-api and front run their new versions 2.0.1, 1.4.2, 1.9.1',
    );
    for (const member of MEMBERS) {
      expect(await memberLine(members, member.service)).toMatch(
        new RegExp(`${member.service} ${member.from} → ${member.to} .*✅ promoted`),
      );
    }
    expect(await card.locator('.fields > div', { hasText: 'Approvals' }).textContent()).toContain('ben');
    const done = await sandbox.waitFor(releaseId, (r) => r.state === 'succeeded');
    expect(membersOf(done).map((m) => [m.service, m.recordedVersion])).toEqual(
      MEMBERS.map((m) => [m.service, m.to]),
    );
    expect(pageErrors).toEqual([]);

    // The card as the requester sees it once the group ended, whole (the page would cut a card this long).
    await actAs(page, ANA);
    await started.waitFor();
    await card.screenshot({ path: SCREENSHOT, animations: 'disabled' });
    console.log(`console screenshot: ${SCREENSHOT}`);
  }, 240_000);
});

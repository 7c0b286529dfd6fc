/**
 * The sandbox's Slack-like console in a real browser: Debian's headless Chromium, driven by playwright-core,
 * against the whole sandbox (DynamoDB Local, the chain's nginx hosts with users on front and orders-api, the real
 * Slack function behind a loopback HTTP API: console-fixture.ts). A person types `/canary start`, a
 * non-approver's Promote is refused to them only, an approver's Promote updates the one release card in place
 * until it shows the release succeeded; a screenshot is saved. Then `/canary plan` previews a release, and its
 * Run button starts it on a card.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANA, actAs, BEN, CARD_WAIT, consoleSandbox, DAN, typeCommand } from './console-fixture';

const HEADER = 'orders-api 1.4.1 → 1.4.2';
const SCREENSHOT = resolve('test-results', 'console.png');

const world = consoleSandbox();

describe('the sandbox console in Chromium', () => {
  it('starts a release with /canary start, refuses a non-approver, and promotes it from the card', async () => {
    const { page, pageErrors } = await world.open(ANA);
    await typeCommand(page, '/canary start orders-api 1.4.2');

    const started = page.locator('.body.ephemeral', { hasText: `Started orders-api 1.4.1 → 1.4.2` });
    await started.waitFor({ timeout: 10_000 });
    expect(await started.locator('b', { hasText: 'orders-api' }).count()).toBe(1);
    expect(await started.locator('.only-you').textContent()).toBe('Only visible to you');

    const cards = page.locator('.message', { has: page.locator('.block.header', { hasText: HEADER }) });
    await cards.first().waitFor({ timeout: 10_000 });
    expect(await cards.count()).toBe(1);
    const cardTs = await cards.getAttribute('data-ts');
    const card = cards.first();
    const promote = card.locator('button[data-action-id="canary_promote"]');

    // The release waits for approval once the (sped-up) validation window passes with the alarm quiet.
    await promote.waitFor({ timeout: CARD_WAIT });
    await card.getByText('Waiting for approval').waitFor({ timeout: CARD_WAIT });
    // The evidence behind Promote: the score and the canary-vs-stable figures on the card, the chart in its thread.
    const evidence = card.locator('.block', { hasText: 'Canary against stable' });
    expect(await evidence.textContent()).toMatch(/score \d+(\.\d)? ✅ pass/);
    expect(await evidence.textContent()).toMatch(/error %.*p50.*p99/s);
    const chart = page.locator('.thread img').first();
    await chart.waitFor({ timeout: CARD_WAIT });
    await page.waitForFunction((img) => (img as { complete: boolean }).complete, await chart.elementHandle());
    expect(await chart.evaluate((img) => (img as { naturalWidth: number }).naturalWidth)).toBe(800);

    // dan is not an approver: his click is refused, to him only, and the card keeps its Promote button.
    await actAs(page, DAN);
    await promote.click();
    const refusal = page.locator('.body.ephemeral', { hasText: 'Only an approver' });
    await refusal.waitFor({ timeout: 10_000 });
    expect(await promote.count()).toBe(1);
    expect(await card.getByText('waiting for an approver').count()).toBe(1);

    // ben is: his click approves it, and the same card follows the release to its end.
    await actAs(page, BEN);
    expect(await refusal.count()).toBe(0);
    await promote.click();
    await promote.waitFor({ state: 'detached', timeout: CARD_WAIT });
    await card.locator('.mention', { hasText: 'ben' }).first().waitFor({ timeout: CARD_WAIT });
    await card.getByText('✅ Succeeded: the stable fleet runs 1.4.2').waitFor({ timeout: CARD_WAIT });

    expect(await cards.count()).toBe(1);
    expect(await cards.getAttribute('data-ts')).toBe(cardTs);
    expect(await card.locator('button.bk').count()).toBe(0);
    expect(await card.locator('.fields > div', { hasText: 'Approvals' }).textContent()).toContain('ben');
    expect(pageErrors).toEqual([]);

    // The requester's view shows the whole conversation: the command, the reply only she sees, and the card.
    await actAs(page, ANA);
    await started.waitFor();
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });
    console.log(`console screenshot: ${SCREENSHOT}`);
  }, 120_000);

  it('previews a plan with /canary plan, and its Run button starts that release on a card', async () => {
    const sandbox = world.sandbox();
    const { page, pageErrors } = await world.open(ANA);
    await typeCommand(page, '/canary plan orders-api 1.4.5 window=2m');

    const preview = page.locator('.body.ephemeral', { hasText: 'It can run' });
    await preview.waitFor({ timeout: 10_000 });
    const shown = (await preview.textContent()) ?? '';
    expect(shown).toMatch(/Plan: orders-api [\w.-]+ → 1\.4\.5, mirroring 50%/);
    expect(shown).toContain('1. deploy 1.4.5 to the canary');
    expect(shown).toContain('the canary fleet, canary-agent:fleet=orders-api-canary: 1 instance, online');
    expect(shown).toMatch(
      /the stable fleet, canary-agent:fleet=orders-api-(blue|green): 2 instances, all online/,
    );
    expect(shown).toMatch(/🟢 canary-orders-api-5xx: OK/);
    expect(shown).toContain('Expected duration: about 4 min of watching (a 2 min window and a 2 min bake)');
    expect(await sandbox.store.activeReleases()).toEqual([]);

    await preview.locator(`button[data-action-id="canary_plan_run"]`).click();

    await page
      .locator('.body.ephemeral', { hasText: /Started orders-api .* → 1\.4\.5/ })
      .waitFor({ timeout: 10_000 });
    const card = page.locator('.message', { has: page.locator('.block.header', { hasText: '→ 1.4.5' }) });
    await card.first().waitFor({ timeout: 10_000 });
    expect(await card.count()).toBe(1);
    const [release] = await sandbox.store.activeReleases();
    expect(release).toMatchObject({ toVersion: '1.4.5', strategy: { kind: 'mirror', percent: 50 } });
    expect(release?.plan.find((step) => step.kind === 'validate')).toMatchObject({ windowSeconds: 120 });
    expect(pageErrors).toEqual([]);

    // Undone before the sandbox stops, so that no host operation of it is cut off half-way.
    const started = release?.id ?? '';
    await sandbox.service.apply(started, { kind: 'abortRequested', actor: { kind: 'person', id: ANA } });
    await sandbox.waitFor(started, (r) => r.state === 'rolledBack', 30_000);
  }, 90_000);
});

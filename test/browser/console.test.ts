/**
 * The sandbox's Slack-like console in a real browser: Debian's headless Chromium, driven by playwright-core,
 * against the whole sandbox (DynamoDB Local, three nginx hosts, the real Slack function behind a loopback HTTP
 * API). A person types `/canary start`, a non-approver's Promote is refused to them only, an approver's Promote
 * updates the one release card in place until it shows the release succeeded; a screenshot is saved. Then
 * `/canary plan` previews a release, and its Run button starts it on a card.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox';
import { backgroundTraffic } from '../../local/traffic';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ANA = 'UANA0SANDBOX'; // the requester
const BEN = 'UBEN0SANDBOX'; // an approver
const DAN = 'UDAN0SANDBOX'; // not an approver
const HEADER = 'orders-api 1.4.1 → 1.4.2';
const CARD_WAIT = 30_000;
const SCREENSHOT = resolve('test-results', 'console.png');

let dir: string | undefined;
let sandbox: Sandbox | undefined;
let browser: Browser | undefined;
let traffic: ReturnType<typeof backgroundTraffic> | undefined;
let context: BrowserContext | undefined;

async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run \`npm run setup\` (it installs Debian's chromium).`,
    );
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM} did not start (run \`npm run setup\`): ${String(error)}`);
  }
}

let missingChromium: Error | undefined;

beforeAll(async () => {
  // Without Chromium the test itself fails (with the fix in its message) rather than being reported skipped.
  try {
    browser = await launchChromium();
  } catch (error) {
    missingChromium = error as Error;
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'canary-console-'));
  sandbox = await startSandbox({ dir, speedUp: 20 });
  // Users, as `npm start` has them: the canary analysis needs requests to judge.
  const up = sandbox;
  traffic = backgroundTraffic(() => up.fleet.stableLb.port(), 20);
  traffic.start();
}, 90_000);

afterEach(async () => {
  await context?.close().catch(() => undefined);
  context = undefined;
});

afterAll(async () => {
  const problems: string[] = [];
  await traffic?.stop();
  await browser?.close().catch((error: unknown) => problems.push(`closing Chromium: ${String(error)}`));
  await sandbox?.stop().catch((error: unknown) => problems.push(`stopping the sandbox: ${String(error)}`));
  // Whatever a failed step or a half-finished stop left running (Chromium, nginx, the hosts' services, Java)
  // is killed here, and named, so that a leak fails the run instead of outliving it.
  const leaked = await reapLeftovers(dir);
  if (leaked.length > 0) problems.push(`left running and killed: ${leaked.join('; ')}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (problems.length > 0) throw new Error(problems.join('\n'));
}, 60_000);

describe('the sandbox console in Chromium', () => {
  it('starts a release with /canary start, refuses a non-approver, and promotes it from the card', async () => {
    if (missingChromium) throw missingChromium;
    if (!browser || !sandbox) throw new Error('the sandbox or Chromium did not start');
    context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // The stand-in serves no favicon; Chromium asks for one anyway and logs the 404.
      if (message.type() !== 'error' || message.location().url.endsWith('/favicon.ico')) return;
      pageErrors.push(`console error: ${message.text()}`);
    });
    // Only destructive buttons ask for confirmation (Promote does not); accept any that shows up all the same.
    page.on('dialog', (dialog) => void dialog.accept());

    await page.goto(sandbox.consoleUrl);
    await actAs(page, ANA);
    await page.fill('#text', '/canary start orders-api 1.4.2');
    await page.press('#text', 'Enter');

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
    if (missingChromium) throw missingChromium;
    if (!browser || !sandbox) throw new Error('the sandbox or Chromium did not start');
    context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(sandbox.consoleUrl);
    await actAs(page, ANA);

    await page.fill('#text', '/canary plan orders-api 1.4.5 window=2m');
    await page.press('#text', 'Enter');

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

/** Picks who the console acts as, once the page has loaded the sandbox's people. */
async function actAs(page: Page, userId: string): Promise<void> {
  const option = page.locator(`#user option[value="${userId}"]`);
  await option.waitFor({ state: 'attached', timeout: 10_000 });
  await page.selectOption('#user', userId);
}

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly zombie: boolean;
  readonly cmd: string;
  readonly env: string;
}

function processes(): Proc[] {
  const procs: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let env = '';
      try {
        env = readFileSync(`/proc/${entry}/environ`, 'utf8');
      } catch {
        // Another user's process: not ours.
      }
      procs.push({ pid: Number(entry), ppid: Number(ppid), zombie: state === 'Z', cmd, env });
    } catch {
      // Gone while we looked.
    }
  }
  return procs;
}

/** This worker's descendants (Chromium, Java) and whatever refers to the sandbox's folder (daemonised nginx). */
function leftovers(sandboxDir: string | undefined): Proc[] {
  const all = processes().filter((p) => !p.zombie && p.pid !== process.pid);
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (ours.has(p.ppid) && !ours.has(p.pid)) {
        ours.add(p.pid);
        grew = true;
      }
    }
  }
  const inDir = (p: Proc) =>
    sandboxDir !== undefined && (p.cmd.includes(sandboxDir) || p.env.includes(sandboxDir));
  return all.filter((p) => ours.has(p.pid) || inDir(p));
}

/** Gives what was stopped 5 s to exit, then kills what is still there by pid and says what it was. */
async function reapLeftovers(sandboxDir: string | undefined): Promise<string[]> {
  const deadline = Date.now() + 5_000;
  let left = leftovers(sandboxDir);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 200));
    left = leftovers(sandboxDir);
  }
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return left.map((p) => `${p.pid} ${p.cmd.slice(0, 120)}`);
}

/**
 * What the console's browser tests share: Debian's headless Chromium (playwright-core), the whole sandbox with the
 * chain (front -> orders-api -> payments) and users on it, a console page acting as one of the sandbox's people,
 * and the reaping of whatever a failed run left running. Each test file that calls `consoleSandbox` starts its own.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
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
export const ANA = 'UANA0SANDBOX'; // the requester
export const BEN = 'UBEN0SANDBOX'; // an approver
export const DAN = 'UDAN0SANDBOX'; // not an approver
/** How long a card may take to reach the next thing a test waits for (a sped-up window, a promotion). */
export const CARD_WAIT = 30_000;

export interface ConsolePage {
  readonly page: Page;
  /** Uncaught errors and console errors on the page, which a test expects to stay empty. */
  readonly pageErrors: string[];
}

export interface ConsoleSandbox {
  /** The sandbox, up; throws what stopped Chromium or the sandbox from starting. */
  sandbox(): Sandbox;
  /** A new page on the console, as `user`, in a context closed after the test. */
  open(user: string, viewport?: { width: number; height: number }): Promise<ConsolePage>;
}

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

/**
 * Registers this file's hooks: Chromium and the chain sandbox before its tests, with users on front (the group's
 * entry) and straight on orders-api (its releases need requests to judge); everything stopped after them.
 */
export function consoleSandbox(): ConsoleSandbox {
  let dir: string | undefined;
  let sandbox: Sandbox | undefined;
  let browser: Browser | undefined;
  let missingChromium: Error | undefined;
  let context: BrowserContext | undefined;
  const traffic: ReturnType<typeof backgroundTraffic>[] = [];

  beforeAll(async () => {
    // Without Chromium the test itself fails (with the fix in its message) rather than being reported skipped.
    try {
      browser = await launchChromium();
    } catch (error) {
      missingChromium = error as Error;
      return;
    }
    dir = mkdtempSync(join(tmpdir(), 'canary-console-'));
    sandbox = await startSandbox({ dir, speedUp: 20, chain: true });
    const { fleet, chain } = sandbox;
    const front = chain?.member('front');
    if (front === undefined) throw new Error('the sandbox started without its chain');
    // Users, as `npm start` has them: on orders-api's load balancer, and on front's, which calls down the chain.
    traffic.push(backgroundTraffic(() => fleet.stableLb.port(), 20));
    traffic.push(backgroundTraffic(() => front.fleet.stableLb.port(), 40));
    for (const users of traffic) users.start();
  }, 120_000);

  afterEach(async () => {
    await context?.close().catch(() => undefined);
    context = undefined;
  });

  afterAll(async () => {
    const problems: string[] = [];
    await Promise.all(traffic.map((users) => users.stop()));
    await browser?.close().catch((error: unknown) => problems.push(`closing Chromium: ${String(error)}`));
    await sandbox?.stop().catch((error: unknown) => problems.push(`stopping the sandbox: ${String(error)}`));
    // Whatever a failed step or a half-finished stop left running (Chromium, nginx, the hosts' services, Java)
    // is killed here, and named, so that a leak fails the run instead of outliving it.
    const leaked = await reapLeftovers(dir);
    if (leaked.length > 0) problems.push(`left running and killed: ${leaked.join('; ')}`);
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }, 60_000);

  const up = () => {
    if (missingChromium) throw missingChromium;
    if (!browser || !sandbox) throw new Error('the sandbox or Chromium did not start');
    return { browser, sandbox };
  };

  return {
    sandbox: () => up().sandbox,
    async open(user, viewport = { width: 1280, height: 1100 }) {
      const { browser, sandbox } = up();
      context = await browser.newContext({ viewport });
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
      await actAs(page, user);
      return { page, pageErrors };
    },
  };
}

/** Picks who the console acts as, once the page has loaded the sandbox's people. */
export async function actAs(page: Page, userId: string): Promise<void> {
  const option = page.locator(`#user option[value="${userId}"]`);
  await option.waitFor({ state: 'attached', timeout: 10_000 });
  await page.selectOption('#user', userId);
}

/** Types a command into the console's composer and sends it, as the person the page acts as. */
export async function typeCommand(page: Page, command: string): Promise<void> {
  await page.fill('#text', command);
  await page.press('#text', 'Enter');
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

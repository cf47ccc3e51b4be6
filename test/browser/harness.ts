import axe from 'axe-core';
import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, CDPSession, chromium, Page } from 'playwright-core';
import { RunningConsole, startConsole } from '../support/console-app';
import { CHROMIUM } from './global-setup';

/** Screenshots of each step, for review (git-ignored). */
export const SHOTS = join(__dirname, 'screenshots');

export interface BrowserHarness {
  sut: RunningConsole;
  browser: Browser;
  /** The console's address, e.g. http://127.0.0.1:41234. */
  base: string;
  /** An emailed link, pointed at this console. */
  local(link: string): string;
  shot(page: Page, name: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** WCAG 2.1 A and AA, and axe-core's best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
/**
 * Violations axe-core finds in third-party markup the console serves as it is, each limited to one
 * page, one rule and the elements it names. Anything else on that page still fails.
 */
const AXE_EXEMPT: Array<{ path: string; rule: string; targets: RegExp; why: string }> = [
  {
    path: '/api/docs',
    rule: 'nested-interactive',
    targets: /\.opblock-summary-control$/,
    why: "swagger-ui's operation header is a button with the copy-path button inside it",
  },
];

const exempt = (path: string, v: { id: string; targets: string[] }) =>
  AXE_EXEMPT.some((e) => e.path === path && e.rule === v.id && v.targets.every((t) => e.targets.test(t)));

/** Errors that mean the document is gone (the page closed): nothing is left to check. */
const GONE =
  /has been closed|Target closed|Session closed|Execution context was destroyed|frame was detached|Cannot find context|navigated or closed/;

/**
 * axe-core on every document a page of the harness's browser shows: when it has loaded, and the
 * documents the pages show at the end of each test once more (each document is checked once).
 * Serious and critical violations fail the test that showed the page. The check runs beside the
 * test and does not hold it up; a document the test leaves before its check ends is not reported.
 */
class AccessibilityWatch {
  private readonly pages = new Set<Page>();
  private readonly sessions = new WeakMap<Page, CDPSession>();
  private readonly found: string[] = [];
  private checking = Promise.resolve();

  attach(context: BrowserContext): void {
    context.on('page', (page) => {
      this.pages.add(page);
      page.on('load', () => void this.check(page));
      page.on('close', () => this.pages.delete(page));
    });
  }

  /** Checks the document a page shows now, once per document; one check at a time. */
  check(page: Page): Promise<void> {
    this.checking = this.checking.then(() => this.checkNow(page));
    return this.checking;
  }

  /**
   * Runs axe-core in the page through the DevTools protocol: unlike Playwright's evaluate, it does
   * not wait for a navigation that is being held, and the page's CSP does not apply to it.
   */
  private async checkNow(page: Page): Promise<void> {
    const url = page.url();
    if (!/^https?:/.test(url) || page.isClosed()) return;
    try {
      let session = this.sessions.get(page);
      if (!session) this.sessions.set(page, (session = await page.context().newCDPSession(page)));
      const run = async (expression: string) => {
        const out = await session.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
        if (out.exceptionDetails)
          throw new Error(out.exceptionDetails.exception?.description ?? out.exceptionDetails.text);
        return out.result.value as unknown;
      };
      // One script, so that it all runs in one document: axe-core, then its run unless done there.
      const violations = (await run(`${axe.source};
        window.axeChecked ? null : (window.axeChecked = true,
          axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })
            .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
              targets: v.nodes.map((n) => n.target.join(' ')) }))))`)) as Array<{
        id: string;
        impact: string | null;
        help: string;
        targets: string[];
      }> | null;
      if (!violations) return;
      const path = new URL(url).pathname;
      for (const v of violations.filter((x) => FAILING_IMPACTS.has(x.impact ?? '') && !exempt(path, x)))
        this.found.push(`${path}: ${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
    } catch (err) {
      if (!GONE.test((err as Error).message))
        this.found.push(`${url}: axe-core could not run: ${(err as Error).message}`);
    }
  }

  /** Checks the documents the pages show now, and throws what was found since the last call. */
  async assertAccessible(): Promise<void> {
    for (const page of this.pages) await this.check(page);
    const found = this.found.splice(0);
    if (found.length)
      throw new Error(`accessibility (axe-core, serious or critical):\n  ${[...new Set(found)].join('\n  ')}`);
  }
}

const watches = new Set<AccessibilityWatch>();

// Every test of a browser spec ends with the axe-core check of what its pages showed.
afterEach(async () => {
  for (const watch of watches) await watch.assertAccessible();
});

/** Signs out from the menu under the name at top right, as a user does. */
export async function signOutFromMenu(page: Page): Promise<void> {
  await page.locator('.usermenu summary').click();
  await page.locator('.usermenu').getByRole('button', { name: 'Sign out' }).click();
}

/** The console on a free port of the loopback and Debian's Chromium, headless. */
export async function startBrowserHarness(env: Record<string, string> = {}): Promise<BrowserHarness> {
  mkdirSync(SHOTS, { recursive: true });
  const sut = await startConsole({ PUBLIC_URL: 'http://127.0.0.1:1', ...env });
  await sut.app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const watch = new AccessibilityWatch();
  watches.add(watch);
  // Every context (and so every page: newPage opens one) is watched.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    watch.attach(context);
    return context;
  };
  return {
    sut,
    browser,
    base,
    local: (link) => {
      const url = new URL(link);
      return `${base}${url.pathname}${url.search}`;
    },
    shot: (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }),
    close: async () => {
      watches.delete(watch);
      try {
        await watch.assertAccessible();
      } finally {
        await browser.close();
        await sut.close();
      }
    },
  };
}

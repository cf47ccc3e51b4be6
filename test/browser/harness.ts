import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
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
      await browser.close();
      await sut.close();
    },
  };
}

import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The browser tier never skips: without Chromium it fails, with one clear line. */
export default async function globalSetup(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `browser tier: Chromium not found at ${CHROMIUM}; install Debian's chromium package or set CHROMIUM_PATH`,
    );
  }
}

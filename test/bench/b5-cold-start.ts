import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, bundle, freePort, probe } from './processes';

/**
 * `node dist/apps/console/main.js` on the embedded default (SQLite, in-process jobs, mail to
 * files) with a fresh DATA_DIR: milliseconds from spawn to the first /health/ready = 200.
 * The first start migrates, generates its secrets and seeds the demo partner, as `npm start` does.
 */
export async function coldStart(logDir: string, timeoutMs = 60_000): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lmp-bench-cold-'));
  const port = await freePort();
  const started = performance.now();
  const app = new AppProcess(
    'cold-start',
    [bundle('console')],
    { DATA_DIR: dataDir, PORT: String(port), LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
    { logDir },
  );
  try {
    for (;;) {
      if (!app.running) throw new Error(`the console exited during its cold start:\n${app.lastOutput()}`);
      if ((await probe(port, '/health/ready', 500)) === 200) return performance.now() - started;
      if (performance.now() - started > timeoutMs) throw new Error(`no /health/ready = 200 within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

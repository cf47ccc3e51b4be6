import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/net';

const root = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require(join(root, 'scripts', 'ensure-built.js')) as { ensureBuilt: (app: string) => string };

const NEST_STARTUP = /InstanceLoader|RoutesResolver|RouterExplorer/;

/** The built console as `npm start` runs it, read from its stdout as a person at the terminal would. */
describe('starting the built console', () => {
  let bundle: string;
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmp-start-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    bundle = ensureBuilt('console');
  }, 120_000);
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const start = (env: Record<string, string>): ChildProcessWithoutNullStreams =>
    spawn(process.execPath, [bundle], {
      env: { ...process.env, PUBLIC_URL: '', DATABASE_URL: '', REDIS_URL: '', LOG_FORMAT: 'json', ...env },
    });

  /** Everything the console printed up to a line matching `until`; then it is stopped. */
  async function outputUntil(child: ChildProcessWithoutNullStreams, until: RegExp): Promise<string[]> {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line ${until} in:\n${out}${err}`)), 60_000);
        child.on('exit', (code) => reject(new Error(`console exited with ${code}:\n${out}${err}`)));
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (until.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
    return out.split('\n');
  }

  it("logs Nest's module and route lines at debug, so the banner is not buried at info", async () => {
    const info = await outputUntil(
      start({ DATA_DIR: dataDir(), PORT: '0', DEMO_ON_FIRST_START: 'false' }),
      /LMP console listening/,
    );
    expect(info.filter((l) => NEST_STARTUP.test(l))).toEqual([]);
    expect(info.filter((l) => l.trim()).length).toBeLessThanOrEqual(5);

    const debug = await outputUntil(
      start({ DATA_DIR: dataDir(), PORT: '0', DEMO_ON_FIRST_START: 'false', LOG_LEVEL: 'debug' }),
      /LMP console listening/,
    );
    const mapped = debug.filter((l) => NEST_STARTUP.test(l));
    expect(mapped.length).toBeGreaterThan(20);
    expect(mapped.every((l) => (JSON.parse(l) as { level: number }).level === 20)).toBe(true);
  }, 120_000);

  it('prints the sign-in address of the port it runs on, not of the start that created the demo', async () => {
    const dir = dataDir();
    const [first, second] = [await freePort(), await freePort()];
    const banner = /Emails are written to/;
    const firstStart = await outputUntil(start({ DATA_DIR: dir, PORT: String(first) }), banner);
    expect(firstStart).toContain(`  Sign in at http://localhost:${first}/login`);

    const again = await outputUntil(start({ DATA_DIR: dir, PORT: String(second) }), banner);
    expect(again).toContain(`  LMP is running at http://localhost:${second}`);
    expect(again).toContain(`  Sign in at http://localhost:${second}/login`);
    expect(again.join('\n')).not.toContain(`localhost:${first}`);
  }, 120_000);

  it('says in one line that the port is in use, and exits 1', async () => {
    const taken = createServer();
    taken.listen(0);
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      const child = start({ DATA_DIR: dataDir(), PORT: String(port) });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number];
      expect({ code, stderr: err.trim() }).toEqual({
        code: 1,
        stderr: `lmp console: port ${port} is in use: set PORT to another port`,
      });
      expect(out).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      taken.close();
    }
  }, 60_000);
});

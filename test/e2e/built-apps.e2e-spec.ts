import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailsTo } from '../support/mail';

const root = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require(join(root, 'scripts', 'ensure-built.js')) as { ensureBuilt: (app: string) => string };

/**
 * The built bundles as an operator runs them: the lmp command, and start-up refusing bad
 * configuration with one line. Mail rendered here comes from the templates shipped with the build.
 */
describe('built apps', () => {
  let dataDir: string;
  let cli: string;

  beforeAll(() => {
    cli = ensureBuilt('cli');
    ensureBuilt('console');
    ensureBuilt('worker');
    dataDir = mkdtempSync(join(tmpdir(), 'lmp-cli-'));
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const lmp = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], {
      env: { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: 'https://lmp.example.com', DATABASE_URL: '' },
      encoding: 'utf8',
    });

  it('creates a partner, prints JSON, and invites its admin by email', async () => {
    const r = lmp(
      'partner:create',
      '--name',
      'Northwind Resale',
      '--code',
      'northwind',
      '--admin-email',
      'It@Northwind.example.com',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ partnerId: expect.any(String), adminUserId: expect.any(String) });
    const [invite] = await mailsTo(dataDir, 'it@northwind.example.com', 'You have been invited to LMP');
    expect(invite.text).toContain('https://lmp.example.com/reset-password?token=');
    expect(invite.html).toContain('Set your password');
  });

  it('refuses bad input with one line and a non-zero exit, changing nothing', () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['partner:create', '--name', 'X', '--cod', 'x'], 2, /^lmp partner:create: Unknown option '--cod'/],
      [['partner:create', '--name', 'X', '--code', 'x2'], 2, /--admin-email is required/],
      [
        ['partner:create', '--name', 'Dup', '--code', 'northwind', '--admin-email', 'a@b.example.com'],
        1,
        /code is taken|exists already/,
      ],
      [
        ['partner:create', '--name', 'X', '--code', 'Bad Code', '--admin-email', 'nope'],
        1,
        /code must be .*adminEmail must be an email/,
      ],
      [
        ['platform-admin:create', '--email', 'ops@lmp.example.com', '--password', 'short'],
        1,
        /password must be at least 8/,
      ],
      [['demo:seed', '--customers', '0'], 2, /--customers must be a whole number/],
      [['no-such-command'], 2, /unknown command "no-such-command"/],
    ];
    for (const [args, code, message] of cases) {
      const r = lmp(...args);
      expect({ args, status: r.status }).toEqual({ args, status: code });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const files = readdirSync(join(dataDir, 'outbox'));
    expect(files).toHaveLength(1);
  });

  it('migrates, seeds demo data once, and creates an operator', () => {
    expect(lmp('db:migrate').stdout).toMatch(/database is up to date|applied/);
    const seeded = lmp('demo:seed', '--customers', '30', '--accounts-per-customer', '2');
    expect(seeded.status).toBe(0);
    expect(seeded.stdout).toContain('demo partner created: 30 customers, 60 accounts');
    expect(lmp('demo:seed').stdout).toContain('demo partner exists already (30 customers)');
    const op = lmp('platform-admin:create', '--email', 'ops@lmp.example.com', '--password', 'operator passphrase');
    expect(op.status).toBe(0);
    expect(JSON.parse(op.stdout)).toEqual({ userId: expect.any(String) });
  });

  it("prints each command's usage and flags with --help, without reading the configuration", () => {
    const commands = [
      'db:migrate',
      'db:status',
      'db:revert',
      'partner:create',
      'platform-admin:create',
      'demo:seed',
      'queue:status',
      'queue:retry',
    ];
    const list = lmp('--help');
    expect(list.status).toBe(0);
    for (const name of commands) expect(list.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    for (const name of commands) {
      for (const flag of ['--help', '-h']) {
        const r = spawnSync(process.execPath, [cli, name, flag], {
          env: { ...process.env, PORT: 'not a port' },
          encoding: 'utf8',
        });
        expect({ name, flag, status: r.status, stderr: r.stderr }).toEqual({ name, flag, status: 0, stderr: '' });
        expect(r.stdout).toMatch(new RegExp(`^usage: lmp ${name}\\b`));
        expect(r.stdout).toContain('\nflags:\n');
        expect(r.stdout).toMatch(/^ {2}-h, --help +print this help$/m);
      }
    }
    expect(lmp('db:status', '--help').stdout).toMatch(/^ {2}--json +/m);
    const partner = lmp('partner:create', '--help').stdout;
    for (const flag of ['--name N', '--code C', '--admin-email E', '--admin-password P', '--no-require-2fa']) {
      expect(partner).toMatch(new RegExp(`^  ${flag} +\\S`, 'm'));
    }
  });

  it('lists migrations with when they were applied, reverts the last one, and applies it again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmp-db-'));
    const db = (...args: string[]) =>
      spawnSync(process.execPath, [cli, ...args], {
        env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' },
        encoding: 'utf8',
      });
    const lines = (r: { stdout: string }) => r.stdout.trim().split('\n');
    try {
      const none = db('db:revert');
      expect({ status: none.status, stderr: none.stderr }).toEqual({
        status: 1,
        stderr: 'lmp db:revert: no migration is applied: nothing to revert\n',
      });

      const fresh = lines(db('db:status'));
      const total = fresh.length - 1;
      expect(total).toBeGreaterThanOrEqual(8);
      expect(fresh[0]).toMatch(/^pending +InitialSchema1763700000000 +not applied yet$/);
      expect(fresh[total]).toBe(`${total} pending: lmp db:migrate applies them`);

      expect(db('db:migrate').stdout).toMatch(/^applied InitialSchema1763700000000, /);
      const applied = lines(db('db:status'));
      const time = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;
      expect(applied.slice(0, total).every((l) => l.startsWith('applied ') && time.test(l))).toBe(true);
      expect(applied[total]).toBe('database is up to date');
      const names = applied.slice(0, total).map((l) => l.split(/ +/)[1]);

      const first = db('db:revert');
      expect({ status: first.status, stdout: first.stdout, stderr: first.stderr }).toEqual({
        status: 0,
        stdout: `reverted ${names[total - 1]}\n`,
        stderr: '',
      });
      expect(db('db:revert').stdout).toBe(`reverted ${names[total - 2]}\n`);
      const reverted = lines(db('db:status'));
      expect(reverted.slice(total - 2, total)).toEqual([
        expect.stringMatching(new RegExp(`^pending +${names[total - 2]} +not applied yet$`)),
        expect.stringMatching(new RegExp(`^pending +${names[total - 1]} +not applied yet$`)),
      ]);
      expect(reverted[total]).toBe('2 pending: lmp db:migrate applies them');
      const json = JSON.parse(db('db:status', '--json').stdout) as Array<{ name: string; status: string }>;
      expect(json.map((m) => m.status)).toEqual([...Array(total - 2).fill('applied'), 'pending', 'pending']);

      expect(db('db:migrate').stdout).toBe(`applied ${names[total - 2]}, ${names[total - 1]}\n`);
      const again = lines(db('db:status'));
      expect(again.slice(0, total).every((l) => l.startsWith('applied ') && time.test(l))).toBe(true);
      expect(again[total]).toBe('database is up to date');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops the console and the worker on bad configuration with one line naming the variable', () => {
    const run = (app: string, env: Record<string, string>) => {
      try {
        execFileSync(process.execPath, [join(root, 'dist', 'apps', app, 'main.js')], {
          env: { ...process.env, DATA_DIR: dataDir, ...env },
          encoding: 'utf8',
          stdio: 'pipe',
          timeout: 20_000,
        });
        return { status: 0, stderr: '' };
      } catch (err) {
        const e = err as { status: number; stderr: string };
        return { status: e.status, stderr: e.stderr };
      }
    };
    const port = run('console', { PORT: 'eighty' });
    expect(port.status).toBe(1);
    expect(port.stderr.trim()).toBe('lmp console: configuration error: PORT: must be a whole number, got "eighty"');
    const worker = run('worker', { REDIS_URL: '' });
    expect(worker.status).toBe(1);
    expect(worker.stderr.trim()).toMatch(/^lmp worker: configuration error: REDIS_URL: is required/);
  });

  it('refuses to start in production on plain http, or with an open /metrics', () => {
    const production = {
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(32),
      DATA_ENCRYPTION_KEY: 'ab'.repeat(32),
      DATABASE_URL: '',
      PORT: '0',
    };
    const start = (env: Record<string, string>) =>
      spawnSync(process.execPath, [join(root, 'dist', 'apps', 'console', 'main.js')], {
        env: { ...process.env, DATA_DIR: dataDir, ...production, ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
    const http = start({ PUBLIC_URL: 'http://lmp.example.com', METRICS_TOKEN: 'scrape-token' });
    expect(http.status).toBe(1);
    expect(http.stderr.trim()).toBe(
      'lmp console: configuration error: PUBLIC_URL: must start with https:// when NODE_ENV=production, got "http://lmp.example.com" (set ALLOW_INSECURE_HTTP=true to run on plain http)',
    );
    const open = start({ PUBLIC_URL: 'https://lmp.example.com', METRICS_TOKEN: '' });
    expect(open.status).toBe(1);
    expect(open.stderr.trim()).toBe(
      'lmp console: configuration error: METRICS_TOKEN: is required when NODE_ENV=production: scrapers send Authorization: Bearer <token>',
    );
  });

  it('starts the built console and answers ready', async () => {
    const child = spawn(process.execPath, [join(root, 'dist', 'apps', 'console', 'main.js')], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        DEMO_ON_FIRST_START: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      // PORT=0 picks a free port; the start-up log line names it.
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('console did not start')), 20_000);
        child.on('exit', (code) => reject(new Error(`console exited with ${code}`)));
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = out.match(/"port":(\d+)[^\n]*LMP console listening/);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(res.status).toBe(200);
      const css = await fetch(`http://127.0.0.1:${port}/assets/app.css`);
      expect(css.status).toBe(200);
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(await login.text()).toContain('<h1>Sign in</h1>');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

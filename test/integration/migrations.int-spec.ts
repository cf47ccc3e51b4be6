import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../support/services';

const root = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require(join(root, 'scripts', 'ensure-built.js')) as { ensureBuilt: (app: string) => string };

/** The built `lmp db:*` commands on MariaDB, where the applied time comes from a column default. */
describe('lmp db:status and db:revert on MariaDB', () => {
  let cli: string;
  let db: { url: string; drop: () => Promise<void> };
  const dataDir = mkdtempSync(join(tmpdir(), 'lmp-db-'));

  beforeAll(async () => {
    cli = ensureBuilt('cli');
    db = await freshDatabase();
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const lmp = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], {
      env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: '', DATA_DIR: dataDir },
      encoding: 'utf8',
    });

  it('lists migrations with their UTC time, reverts the last two and applies them again', () => {
    expect(lmp('db:revert')).toMatchObject({
      status: 1,
      stderr: 'lmp db:revert: no migration is applied: nothing to revert\n',
    });
    const before = Date.now();
    expect(lmp('db:migrate').status).toBe(0);
    type State = { name: string; status: string; appliedAt: string | null };
    const status = () => JSON.parse(lmp('db:status', '--json').stdout) as State[];
    const applied = status();
    expect(applied.every((m) => m.status === 'applied')).toBe(true);
    const last = applied[applied.length - 1];
    // Written by the database's default, in UTC whatever the server's time zone.
    expect(Math.abs(Date.parse(last.appliedAt!) - before)).toBeLessThan(60_000);

    const names = applied.map((m) => m.name);
    expect(lmp('db:revert').stdout).toBe(`reverted ${names[names.length - 1]}\n`);
    expect(lmp('db:revert').stdout).toBe(`reverted ${names[names.length - 2]}\n`);
    expect(status().map((m) => m.status)).toEqual([...Array(names.length - 2).fill('applied'), 'pending', 'pending']);
    expect(lmp('db:migrate').stdout).toBe(`applied ${names.slice(-2).join(', ')}\n`);
    expect(lmp('db:status').stdout.trim().split('\n').pop()).toBe('database is up to date');
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS, utcDay } from '@lmp/common';
import { startConsole } from '../support/console-app';
import { partnerWithAdmin } from '../support/fixtures';
import { mailsTo } from '../support/mail';

const root = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require(join(root, 'scripts', 'ensure-built.js')) as { ensureBuilt: (app: string) => string };

describe('lmp licenses:notify (built command, embedded)', () => {
  let dataDir: string;
  let cli: string;

  beforeAll(() => {
    cli = ensureBuilt('cli');
    dataDir = mkdtempSync(join(tmpdir(), 'lmp-cli-licenses-'));
  }, 180_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const lmp = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PUBLIC_URL: 'http://console.test',
        DATABASE_URL: '',
        REDIS_URL: '',
        SMTP_URL: '',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('runs one scan as of a day, prints what it wrote as JSON, and nothing the second time', async () => {
    const asOf = new Date(utcDay(new Date()).getTime() + 100 * DAY_MS);
    const sut = await startConsole({}, { dataDir });
    let adminEmail: string;
    try {
      const p = await partnerWithAdmin(sut.app);
      adminEmail = p.adminEmail;
      const c = await p.agent
        .post('/api/v1/partner/customers')
        .send({ companyName: 'Cli Co', country: 'GB' })
        .expect(201);
      await p.agent
        .post(`/api/v1/partner/customers/${c.body.id}/licenses`)
        .send({
          product: 'Cli Suite',
          seats: 2,
          startsAt: new Date().toISOString(),
          expiresAt: new Date(asOf.getTime() + 7 * DAY_MS + 3600_000).toISOString(),
        })
        .expect(201);
      await sut.settle();
    } finally {
      await sut.close();
    }
    const day = asOf.toISOString().slice(0, 10);

    const first = lmp('licenses:notify', '--as-of', day);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ licenseNotices: 1, partnerDigests: 1 });
    const again = lmp('licenses:notify', '--as-of', day);
    expect(JSON.parse(again.stdout)).toEqual({ licenseNotices: 0, partnerDigests: 0 });
    // The digest reached the partner's admin (in-process delivery before the command exits).
    expect(await mailsTo(dataDir, adminEmail, "Your customers' licenses that expire soon")).toHaveLength(1);
  }, 120_000);

  it.each([
    ['--as-of', '2030-02-30'],
    ['--as-of', 'tomorrow'],
    ['--days', '3'],
  ])('refuses %s %s with a usage error', (...args) => {
    const res = lmp('licenses:notify', ...args);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^lmp licenses:notify: /);
  });

  it('explains itself with --help', () => {
    const res = lmp('licenses:notify', '--help');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('usage: lmp licenses:notify [--as-of YYYY-MM-DD]');
  });
});

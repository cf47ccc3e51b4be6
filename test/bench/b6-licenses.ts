import { NestFactory } from '@nestjs/core';
import { Pool } from 'mysql2/promise';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { DAY_MS, NOTICE_CATCH_UP_DAYS, utcDay } from '../../libs/common/src';
import { loadConfig } from '../../libs/config/src';
import { LicenseNoticesService, SCAN_PAGE_SIZE } from '../../libs/notifications/src';
import { CliModule } from '../../apps/cli/src/cli.module';
import { SeededDatabase } from './data';

export interface ScanRun {
  ms: number;
  /** Licenses the window held (read by the raw pages) or notices written (the product). */
  rows: number;
  /** Growth of the heap over the run's baseline, sampled every 20 ms (MB). */
  heapGrowthMb: number;
}

/** Samples heapUsed while `work` runs: what the run added on top of where it started. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; heapGrowthMb: number }> {
  global.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
  const started = performance.now();
  try {
    const value = await work();
    return { value, ms: performance.now() - started, heapGrowthMb: (peak - base) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** The scan's window as of a day with the default thresholds (30, 7, 1), as the product computes it. */
export function scanWindow(asOf: Date): { from: Date; to: Date } {
  const day = utcDay(asOf).getTime();
  return { from: new Date(day - NOTICE_CATCH_UP_DAYS * DAY_MS), to: new Date(day + 31 * DAY_MS) };
}

/**
 * B6, the product: one `licenses:notify` scan as of `asOf`, in this process through the CLI's
 * module (the same wiring as `lmp licenses:notify`) on the seeded database, jobs in-process.
 * The first run of a day writes the due notices; later runs find them sent and write nothing.
 */
export async function b6Product(db: SeededDatabase, asOf: Date, env: Record<string, string>): Promise<ScanRun> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'lmp-bench-b6-'));
  const config = loadConfig({
    ...env,
    DATABASE_URL: db.url.replace(/^mysql:/, 'mariadb:'),
    DATA_DIR: dataDir,
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
  });
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const scan = app.get(LicenseNoticesService);
    const run = await measured(() => scan.scan(asOf));
    return { ms: run.ms, rows: run.value.licenseNotices, heapGrowthMb: run.heapGrowthMb };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const CANDIDATES =
  'SELECT l.id, l.customer_id, c.partner_id, c.company_name, l.product, l.seats, l.expires_at ' +
  'FROM licenses l INNER JOIN customers c ON c.id = l.customer_id ' +
  "WHERE l.expires_at >= ? AND l.expires_at < ? AND l.status <> 'suspended' AND c.status = 'active'";

/**
 * B6, the ceiling: the scan's candidate query in raw SQL through mysql2, the same keyset pages
 * of SCAN_PAGE_SIZE over the same window, and the notices already recorded for each page.
 */
export async function b6Raw(pool: Pool, asOf: Date): Promise<ScanRun> {
  const { from, to } = scanWindow(asOf);
  const run = await measured(async () => {
    let rows = 0;
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const sql = `${CANDIDATES}${after ? ' AND (l.expires_at > ? OR (l.expires_at = ? AND l.id > ?))' : ''} ORDER BY l.expires_at, l.id LIMIT ${SCAN_PAGE_SIZE}`;
      const params: unknown[] = after ? [from, to, after.at, after.at, after.id] : [from, to];
      const [page] = (await pool.query(sql, params)) as unknown as [Array<{ id: string; expires_at: Date }>];
      if (page.length === 0) break;
      await pool.query('SELECT license_id, expires_at, threshold_days FROM license_notices WHERE license_id IN (?)', [
        page.map((r) => r.id),
      ]);
      rows += page.length;
      const last = page[page.length - 1];
      after = { at: last.expires_at, id: last.id };
      if (page.length < SCAN_PAGE_SIZE) break;
    }
    return rows;
  });
  return { ms: run.ms, rows: run.value, heapGrowthMb: run.heapGrowthMb };
}

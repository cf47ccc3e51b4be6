import http from 'node:http';
import { AppProcess } from './processes';

export interface ExportRun {
  seconds: number;
  rows: number;
  megabytes: number;
  /** How far the console's RSS rose above its level when the export started. */
  rssGrowthMb: number;
}

/**
 * B7: the distributor's whole customer list as CSV (GET /api/v1/partner/customers.csv), read as
 * it streams and counted, not kept: seconds to the last byte, the rows, and the console's RSS
 * sampled every 20 ms. A streamed export keeps the growth to a few MB whatever the list's length;
 * one that built the file in memory would grow with it.
 */
export function b7Export(port: number, cookie: string, app: AppProcess): Promise<ExportRun> {
  const before = app.memory()?.rssMb ?? NaN;
  let top = before;
  const timer = setInterval(() => {
    const m = app.memory();
    if (m) top = Math.max(top, m.rssMb);
  }, 20);
  const started = performance.now();
  return new Promise<ExportRun>((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/api/v1/partner/customers.csv', headers: { cookie } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`B7: GET /api/v1/partner/customers.csv answered ${res.statusCode}`));
          return;
        }
        let newlines = 0;
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) newlines++;
        });
        res.on('end', () =>
          resolve({
            seconds: (performance.now() - started) / 1000,
            rows: newlines - 1,
            megabytes: bytes / 2 ** 20,
            rssGrowthMb: top - before,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error('B7: the export did not finish within 120 s')));
    req.on('error', reject);
  }).finally(() => clearInterval(timer));
}

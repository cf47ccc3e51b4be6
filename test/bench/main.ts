/**
 * `npm run bench`: BENCHMARKS.md's B1–B5 against the built apps, real MariaDB and Redis, and an
 * SMTP server in this process. Each figure is measured `--runs` times (3) next to its ceiling;
 * the table and bench-results.json give min/median/max. Started by scripts/bench.js.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { b1Ceiling, b1Product, clientIp, hashForCeiling } from './b1-signin';
import { AccountCursor, b2Ceiling, b2Latency, b2Product, ThroughputRun } from './b2-reset';
import { Pool } from 'mysql2/promise';
import { b3Product, b3Raw, BrowseRequest, browseMix, captureSql, rawPool, SCENARIOS } from './b3-browse';
import { coldStart } from './b5-cold-start';
import { b6Product, b6Raw, ScanRun } from './b6-licenses';
import { b7Export, ExportRun } from './b7-export';
import {
  BENCH_PASSWORD,
  dropQueuePrefix,
  prepareDatabase,
  REDIS_URL,
  sample,
  Samples,
  SeededDatabase,
  serverVersions,
  unreachable,
} from './data';
import { HttpClient, LoadResult, sessionCookieOf } from './load';
import { BenchOptions, parseOptions, UsageError } from './options';
import { AppProcess, CpuMeter, freePort, pidByName, ROOT, startConsole, startScript, startWorker } from './processes';
import { RoundTripMeter } from './round-trips';
import { scaleOut } from './scale-out';
import { SmtpSink } from './smtp-sink';
import { BenchResult, median, percentile, round, spread } from './stats';

const log = (line: string) => process.stderr.write(`${line}\n`);
const children = new Set<AppProcess>();
const track = (p: AppProcess) => (children.add(p), p);
async function stopAll(list: AppProcess[]): Promise<void> {
  await Promise.all(list.map((p) => p.stop().finally(() => children.delete(p))));
}

function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

interface Stack {
  console: AppProcess;
  workers: AppProcess[];
  http: HttpClient;
  prefix: string;
  /** One session cookie per client, as the distributor's admin. */
  cookies: string[];
}

interface Context {
  options: BenchOptions;
  db: SeededDatabase;
  sink: SmtpSink;
  samples: Samples;
  /**
   * The accounts B2 resets, shared by the rounds: each round takes accounts no earlier round
   * reset (until the sample runs out), so that no round pays for voiding links an earlier one
   * left open and the rounds stay comparable.
   */
  resetAccounts: AccountCursor;
  logDir: string;
  profileDir?: string;
  dataDir: string;
  secrets: Record<string, string>;
  workers: number;
  /** B3: the request mix with its captured SQL, and the raw pool that replays it. */
  requests?: BrowseRequest[];
  pool?: Pool;
}

const appDatabaseUrl = (db: SeededDatabase) => db.url.replace(/^mysql:/, 'mariadb:');

async function startStack(ctx: Context, round: number): Promise<Stack> {
  const port = await freePort();
  const prefix = `bench-${process.pid}-${round}`;
  const env = {
    NODE_ENV: 'production',
    ...ctx.secrets,
    DATABASE_URL: appDatabaseUrl(ctx.db),
    REDIS_URL,
    SMTP_URL: ctx.sink.url,
    QUEUE_PREFIX: prefix,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: ctx.dataDir,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'info',
    LOG_FORMAT: 'json',
    ...ctx.options.appEnv,
  };
  const opts = { logDir: ctx.logDir, profileDir: ctx.profileDir };
  const workers: AppProcess[] = [];
  for (let w = 0; w < ctx.workers; w++) {
    workers.push(track(await startWorker(`worker-${round}-${w + 1}`, env, opts)));
  }
  // Behind a load balancer (TRUST_PROXY): each simulated user has its own address.
  const app = track(
    await startConsole(`console-${round}`, port, { ...env, MIGRATE_ON_START: 'true', TRUST_PROXY: 'true' }, opts),
  );
  const http = new HttpClient(port);
  const cookies: string[] = [];
  for (let c = 0; c < 16; c++) {
    const res = await http.request('POST', '/api/v1/auth/login', {
      json: { email: ctx.db.adminEmail, password: BENCH_PASSWORD },
      headers: { 'x-forwarded-for': clientIp(1_000_000 + c) },
    });
    const cookie = sessionCookieOf(res);
    if (res.status !== 200 || !cookie) {
      throw new Error(`the distributor's admin cannot sign in (${res.status} ${res.body.slice(0, 200)})`);
    }
    cookies.push(cookie);
  }
  return { console: app, workers, http, prefix, cookies };
}

async function stopStack(stack: Stack): Promise<void> {
  stack.http.close();
  await stopAll([stack.console, ...stack.workers]);
  await dropQueuePrefix(stack.prefix);
}

interface Collected {
  b1: { product: number[]; ceiling: number[] };
  b2: { product: ThroughputRun[]; ceiling: ThroughputRun[]; p99: number[] };
  b3: { product: LoadResult[]; raw: LoadResult[] };
  b4: { console: number[]; worker: number[] };
  b5: number[];
  b6: { product: ScanRun[]; raw: ScanRun[] };
  b7: ExportRun[];
  /** CPU ms per operation by process, of the last run of each benchmark. */
  cpu: Record<'b1' | 'b2' | 'b3', string>;
}

function fail(what: string, errors: number, firstErrors: string[]): void {
  if (errors) log(`  ! ${what}: ${errors} failed, e.g. ${firstErrors.join(' | ')}`);
}

async function runRound(ctx: Context, round: number, c: Collected, ceilingHash: string): Promise<void> {
  const { options } = ctx;
  const only = options.only;
  const stack = await startStack(ctx, round);
  // CPU per operation of every process involved: robust against a noisy machine, and it says
  // where the time goes. MariaDB and Redis are found only when they run on this machine.
  const meter = new CpuMeter({
    console: stack.console.pid,
    'console:main': stack.console.pid,
    ...Object.fromEntries(stack.workers.map((w, i) => [`worker${stack.workers.length > 1 ? i + 1 : ''}`, w.pid])),
    mariadb: pidByName('mariadbd', 'mysqld'),
    redis: pidByName('redis-server'),
    harness: process.pid,
  });
  const trips = new RoundTripMeter(ctx.db.url, REDIS_URL);
  const memory = async (after: string) => {
    const m = stack.console.memory();
    const metrics = await stack.http
      .request('GET', '/metrics', { headers: { authorization: `Bearer ${ctx.secrets.METRICS_TOKEN}` } })
      .catch(() => null);
    const mb = (name: string) => {
      const v = new RegExp(`^lmp_${name} (\\S+)$`, 'm').exec(metrics?.body ?? '')?.[1];
      return v ? `${(Number(v) / 2 ** 20).toFixed(0)}` : '?';
    };
    if (m) {
      log(
        `  console after ${after}: rss ${m.rssMb.toFixed(0)} MB (V8 heap ${mb('nodejs_heap_size_used_bytes')} used of ${mb('nodejs_heap_size_total_bytes')}, external ${mb('nodejs_external_memory_bytes')}), peak ${m.peakMb.toFixed(0)} MB`,
      );
    }
  };
  await memory('start');
  try {
    const run = `run ${round}/${options.runs}`;
    if (only.has('B1')) {
      const seconds = options.seconds ?? 10;
      const ceiling = await withTimeout(
        'B1 ceiling',
        seconds * 3000 + 60_000,
        b1Ceiling(ceilingHash, BENCH_PASSWORD, seconds),
      );
      meter.start();
      await trips.start();
      const product = await withTimeout(
        'B1',
        seconds * 3000 + 60_000,
        b1Product(stack.http, ctx.samples.signIn, BENCH_PASSWORD, seconds, round * 1_000_000),
      );
      fail('B1 sign-ins', product.errors, product.firstErrors);
      c.b1.ceiling.push(ceiling);
      c.b1.product.push(product.perSecond);
      c.cpu.b1 = meter.per(product.completed);
      log(
        `B1 ${run}: ${product.perSecond.toFixed(1)} sign-ins/s, ceiling ${ceiling.toFixed(1)} verify/s (${((100 * product.perSecond) / ceiling).toFixed(0)} %); CPU ms per sign-in: ${c.cpu.b1}; per sign-in: ${await trips.per(product.completed)}`,
      );
    }
    if (only.has('B1')) await memory('B1');
    if (only.has('B2')) {
      const seconds = options.seconds ?? 20;
      const cursor = ctx.resetAccounts;
      const rawPrefix = `${stack.prefix}-raw`;
      const raw = track(
        await startScript(
          `raw-worker-${round}`,
          'test/bench/raw-worker.ts',
          { REDIS_URL, QUEUE_PREFIX: rawPrefix, SMTP_URL: ctx.sink.url, WORKER_CONCURRENCY: '20' },
          'raw worker running',
          { logDir: ctx.logDir },
        ),
      );
      let ceiling: ThroughputRun;
      try {
        ceiling = await withTimeout(
          'B2 ceiling',
          seconds * 3000 + 90_000,
          b2Ceiling(REDIS_URL, rawPrefix, ctx.sink, seconds),
        );
      } finally {
        await stopAll([raw]);
        await dropQueuePrefix(rawPrefix);
      }
      meter.start();
      await trips.start();
      const product = await withTimeout(
        'B2',
        seconds * 3000 + 90_000,
        b2Product(stack.http, stack.cookies, cursor, ctx.sink, seconds),
      );
      const cpu = meter.per(product.produced);
      const b2Trips = await trips.per(product.produced);
      fail('B2 resets', product.errors, product.firstErrors);
      if (!product.drained) log('  ! B2: the backlog did not drain within 60 s');
      const latencySeconds = Math.min(options.seconds ?? 10, 10);
      const latency = await withTimeout(
        'B2 latency',
        latencySeconds * 1000 + 90_000,
        b2Latency(stack.http, stack.cookies, cursor, ctx.sink, 100, latencySeconds),
      );
      fail('B2 steady resets', latency.errors, latency.firstErrors);
      c.b2.ceiling.push(ceiling);
      c.b2.product.push(product);
      c.cpu.b2 = cpu;
      c.b2.p99.push(latency.p99);
      log(
        `B2 ${run}: ${product.perSecond.toFixed(0)} delivered/s, ceiling ${ceiling.perSecond.toFixed(0)}/s; at 100/s p50 ${latency.p50.toFixed(0)} ms p99 ${latency.p99.toFixed(0)} ms (${latency.count} messages); CPU ms per reset: ${cpu}; per reset: ${b2Trips}`,
      );
    }
    if (only.has('B2')) await memory('B2');
    if (only.has('B3')) {
      const seconds = options.seconds ?? 10;
      const raw = await withTimeout('B3 raw SQL', seconds * 3000 + 60_000, b3Raw(ctx.pool!, ctx.requests!, seconds));
      meter.start();
      await trips.start();
      const product = await withTimeout(
        'B3',
        seconds * 3000 + 60_000,
        b3Product(stack.http, stack.cookies, ctx.requests!, seconds),
      );
      const cpu = meter.per(product.completed);
      const b3Trips = await trips.per(product.completed);
      fail('B3 requests', product.errors, product.firstErrors);
      c.b3.raw.push(raw);
      c.b3.product.push(product);
      c.cpu.b3 = cpu;
      const all = (r: LoadResult) => [...r.latencies.values()].flat();
      log(
        `B3 ${run}: p95 ${percentile(all(product), 95).toFixed(1)} ms (raw SQL ${percentile(all(raw), 95).toFixed(1)} ms), ` +
          SCENARIOS.map(
            (s) =>
              `${s} ${percentile(product.latencies.get(s) ?? [], 95).toFixed(1)}/${percentile(raw.latencies.get(s) ?? [], 95).toFixed(1)}`,
          ).join(', ') +
          `; CPU ms per request: ${cpu}; per request: ${b3Trips}`,
      );
    }
    if (only.has('B3')) await memory('B3');
    const consoleMem = stack.console.memory();
    const workerPeaks = stack.workers.map((w) => w.memory()?.peakMb ?? NaN);
    if (consoleMem) c.b4.console.push(consoleMem.peakMb);
    if (workerPeaks.length) c.b4.worker.push(Math.max(...workerPeaks));
    log(
      `B4 ${run}: console peak ${consoleMem?.peakMb.toFixed(0)} MB, worker peak ${Math.max(...workerPeaks).toFixed(0)} MB`,
    );
    // After B4's reading, so the export's memory is its own figure.
    if (only.has('B7')) {
      const exported = await withTimeout('B7', 180_000, b7Export(stack.http.port, stack.cookies[0], stack.console));
      if (exported.rows !== ctx.db.distributorCustomers)
        log(`  ! B7: ${exported.rows} rows exported of the distributor's ${ctx.db.distributorCustomers} customers`);
      c.b7.push(exported);
      log(
        `B7 ${run}: ${exported.rows} customers (${exported.megabytes.toFixed(1)} MB of CSV) in ${exported.seconds.toFixed(2)} s; console RSS +${exported.rssGrowthMb.toFixed(0)} MB`,
      );
    }
  } finally {
    await stopStack(stack);
  }
}

/**
 * B6: the license expiry scan over the seed's licenses, as of today. The first run writes the
 * day's notices (reported, not measured as a figure); the measured runs are the hourly case,
 * each next to the same keyset pages in raw SQL.
 */
async function runB6(db: SeededDatabase, options: BenchOptions, env: Record<string, string>, c: Collected) {
  const asOf = new Date();
  const pool = rawPool(db);
  try {
    const first = await withTimeout('B6 first scan', 600_000, b6Product(db, asOf, env));
    log(`B6 first scan of the day: ${first.rows} notices written in ${first.ms.toFixed(0)} ms`);
    for (let run = 1; run <= options.runs; run++) {
      const product = await withTimeout('B6 scan', 300_000, b6Product(db, asOf, env));
      const raw = await withTimeout('B6 raw SQL', 300_000, b6Raw(pool, asOf));
      c.b6.product.push(product);
      c.b6.raw.push(raw);
      log(
        `B6 ${run}/${options.runs}: scan ${product.ms.toFixed(0)} ms (raw SQL ${raw.ms.toFixed(0)} ms over ${raw.rows} licenses in the window); heap growth ${product.heapGrowthMb.toFixed(1)} MB (raw ${raw.heapGrowthMb.toFixed(1)} MB)`,
      );
    }
  } finally {
    await pool.end();
  }
}

function results(options: BenchOptions, c: Collected): BenchResult[] {
  const out: BenchResult[] = [];
  const ratios = (a: number[], b: number[]) => a.map((v, i) => v / b[i]);
  const entry = (
    name: string,
    runs: number[],
    unit: string,
    target: string,
    met: (value: number, ratio: number | null) => boolean,
    ceilingRuns?: number[],
    note?: string,
  ): BenchResult => {
    const s = spread(runs);
    const ceiling = ceilingRuns ? median(ceilingRuns) : null;
    const ratio = ceilingRuns ? median(ratios(runs, ceilingRuns)) : null;
    return {
      name,
      value: round(s.median),
      unit,
      ceiling: ceiling === null ? null : round(ceiling),
      ratio: ratio === null ? null : round(ratio, 3),
      target,
      met: met(s.median, ratio),
      min: round(s.min),
      median: round(s.median),
      max: round(s.max),
      runs: runs.map((v) => round(v)),
      ...(ceilingRuns ? { ceilingRuns: ceilingRuns.map((v) => round(v)) } : {}),
      ...(note ? { note } : {}),
    };
  };
  if (c.b1.product.length) {
    out.push(
      entry(
        'B1 sign-in throughput',
        c.b1.product,
        'logins/s',
        '>= 0.85 x raw argon2.verify/s',
        (_v, r) => (r ?? 0) >= 0.85,
        c.b1.ceiling,
        `CPU ms per sign-in: ${c.cpu.b1}`,
      ),
    );
  }
  if (c.b2.product.length) {
    out.push(
      entry(
        'B2 reset pipeline throughput',
        c.b2.product.map((r) => r.perSecond),
        'delivered/s',
        '>= 400/s and >= 0.4 x raw pipeline',
        (v, r) => v >= 400 && (r ?? 0) >= 0.4,
        c.b2.ceiling.map((r) => r.perSecond),
        `CPU ms per reset: ${c.cpu.b2}`,
      ),
    );
    out.push(entry('B2 reset latency p99 at 100/s', c.b2.p99, 'ms', '< 1000 ms', (v) => v < 1000));
  }
  if (c.b3.product.length) {
    const p95 = (r: LoadResult, kind?: string) =>
      percentile(kind ? (r.latencies.get(kind) ?? []) : [...r.latencies.values()].flat(), 95);
    const rule = (v: number, r: number | null) => v < 20 && (r ?? Infinity) <= 2;
    out.push(
      entry(
        'B3 browsing p95 (all)',
        c.b3.product.map((r) => p95(r)),
        'ms',
        '< 20 ms and <= 2 x raw SQL p95',
        rule,
        c.b3.raw.map((r) => p95(r)),
        `${options.scale.customers} customers / ${options.scale.customers * options.scale.accountsPerCustomer} accounts; CPU ms per request: ${c.cpu.b3}`,
      ),
    );
    for (const s of SCENARIOS) {
      out.push(
        entry(
          `B3 ${s} p95`,
          c.b3.product.map((r) => p95(r, s)),
          'ms',
          '< 20 ms and <= 2 x raw SQL p95',
          rule,
          c.b3.raw.map((r) => p95(r, s)),
        ),
      );
    }
  }
  if (c.b4.console.length) {
    out.push(entry('B4 console peak RSS', c.b4.console, 'MB', '< 250 MB', (v) => v < 250));
    if (c.b4.worker.length) out.push(entry('B4 worker peak RSS', c.b4.worker, 'MB', '< 200 MB', (v) => v < 200));
  }
  if (c.b5.length) out.push(entry('B5 embedded cold start', c.b5, 'ms', '< 3000 ms', (v) => v < 3000));
  if (c.b6.product.length) {
    out.push(
      entry(
        'B6 license expiry scan',
        c.b6.product.map((r) => r.ms),
        'ms',
        '< 5000 ms and <= 3 x raw SQL',
        (v, r) => v < 5000 && (r ?? Infinity) <= 3,
        c.b6.raw.map((r) => r.ms),
        `${options.scale.customers} licenses, ${c.b6.raw[0]?.rows} in the window; heap growth ${median(c.b6.product.map((r) => r.heapGrowthMb)).toFixed(1)} MB`,
      ),
    );
  }
  if (c.b7.length) {
    const rows = c.b7[0].rows;
    out.push(
      entry(
        'B7 CSV export of the distributor',
        c.b7.map((r) => r.seconds),
        's',
        '< 10 s',
        (v) => v < 10,
        undefined,
        `${rows} customers`,
      ),
    );
    out.push(
      entry(
        'B7 console RSS growth during the export',
        c.b7.map((r) => r.rssGrowthMb),
        'MB',
        '< 50 MB',
        (v) => v < 50,
      ),
    );
  }
  return out;
}

function table(rows: BenchResult[]): string {
  const head = ['benchmark', 'median', 'min', 'max', 'unit', 'ceiling', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [
    r.name,
    String(r.median),
    String(r.min),
    String(r.max),
    r.unit,
    r.ceiling === null ? '-' : String(r.ceiling),
    r.ratio === null ? '-' : String(r.ratio),
    r.target,
    r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    log(err.message);
    return 2;
  }
  if (options.only.has('B4')) for (const b of ['B1', 'B2', 'B3'] as const) options.only.add(b);
  // The scale-out comparison runs the B1-B3 loads (B3 needs its request mix) and nothing else.
  if (options.scaleOut) options.only = new Set(['B3']);
  const stack = ['B1', 'B2', 'B3', 'B6', 'B7'].some((b) => options.only.has(b as 'B1'));
  const missing = stack ? await unreachable() : null;
  if (missing) {
    log(missing);
    return 1;
  }
  const versions = stack ? await serverVersions() : null;
  const machine = `${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim()}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, Node ${process.version}${
    versions ? `, MariaDB ${versions.mariadb} (buffer pool ${versions.bufferPoolMb} MB), Redis ${versions.redis}` : ''
  }`;
  log(`machine: ${machine}`);
  log(
    `scale: ${options.scale.name}; runs: ${options.runs}; UV_THREADPOOL_SIZE of the harness: ${process.env.UV_THREADPOOL_SIZE ?? 'default'}`,
  );

  const logDir = mkdtempSync(join(os.tmpdir(), 'lmp-bench-'));
  const profileDir = options.profile ? resolve(ROOT, 'bench-profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const collected: Collected = {
    b1: { product: [], ceiling: [] },
    b2: { product: [], ceiling: [], p99: [] },
    b3: { product: [], raw: [] },
    b4: { console: [], worker: [] },
    b5: [],
    b6: { product: [], raw: [] },
    b7: [],
    cpu: { b1: '', b2: '', b3: '' },
  };
  let ok = false;
  let scaled: BenchResult[] = [];
  const sink = stack ? await new SmtpSink().start() : undefined;
  try {
    if (stack) {
      const secrets = {
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        METRICS_TOKEN: randomBytes(24).toString('base64url'),
        // The bench talks to 127.0.0.1 without TLS.
        ALLOW_INSECURE_HTTP: 'true',
      };
      const cliEnv = { ...secrets, NODE_ENV: 'production', DATA_DIR: join(logDir, 'data'), LOG_LEVEL: 'warn' };
      const db = await prepareDatabase(options.scale, cliEnv);
      log(`database ${db.name}: ${db.seedNote}; distributor ${db.distributorCustomers} customers`);
      const samples = await sample(db);
      const ctx: Context = {
        options,
        db,
        sink: sink!,
        samples,
        resetAccounts: new AccountCursor(samples.distributorAccounts),
        logDir,
        profileDir,
        dataDir: join(logDir, 'data'),
        secrets,
        workers: Number(process.env.BENCH_WORKERS || 1),
      };
      if (options.only.has('B3')) {
        ctx.requests = browseMix(samples, db.distributorCustomers, 40);
        const started = Date.now();
        await captureSql(db, ctx.requests);
        log(
          `B3: captured the SQL of ${ctx.requests.length} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        ctx.pool = rawPool(db);
      }
      if (options.only.has('B6')) await runB6(db, options, cliEnv, collected);
      const ceilingHash = await hashForCeiling(BENCH_PASSWORD);
      try {
        if (options.scaleOut) {
          scaled = await scaleOut({
            env: {
              NODE_ENV: 'production',
              ...secrets,
              DATABASE_URL: appDatabaseUrl(db),
              REDIS_URL,
              SMTP_URL: ctx.sink.url,
              DATA_DIR: ctx.dataDir,
              LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'info',
              LOG_FORMAT: 'json',
              ...options.appEnv,
            },
            logDir,
            db,
            sink: ctx.sink,
            samples,
            requests: ctx.requests!,
            seconds: options.seconds,
            runs: options.runs,
            track,
            stopAll,
            log,
          });
        } else {
          const rounds = ['B1', 'B2', 'B3', 'B7'].some((b) => options.only.has(b as 'B1')) ? options.runs : 0;
          for (let round = 1; round <= rounds; round++) await runRound(ctx, round, collected, ceilingHash);
        }
      } finally {
        await ctx.pool?.end();
      }
    }
    if (options.only.has('B5') && !options.scaleOut) {
      for (let run = 1; run <= options.runs; run++) {
        const ms = await coldStart(logDir);
        collected.b5.push(ms);
        log(`B5 run ${run}/${options.runs}: ready after ${ms.toFixed(0)} ms`);
      }
    }
    ok = true;
  } finally {
    await stopAll([...children]);
    await sink?.stop();
    if (ok) rmSync(logDir, { recursive: true, force: true });
    else log(`logs of the apps: ${logDir}`);
  }
  const rows = [...results(options, collected), ...scaled];
  const output = options.verbose ? rows : rows.map(({ runs: _r, ceilingRuns: _c, ...rest }) => rest);
  writeFileSync(resolve(ROOT, options.out), `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(
    `\n${machine}\nscale ${options.scale.name}, ${options.runs} runs each\n\n${table(rows)}\n\nwritten to ${options.out}\n`,
  );
  if (profileDir) process.stdout.write(`CPU profiles in ${profileDir}\n`);
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const p of children) p.child.kill('SIGKILL');
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    for (const p of children) p.child.kill('SIGKILL');
    log(`bench: ${err.message}`);
    process.exit(1);
  },
);

/**
 * `npm run bench -- --scale-out`: the same sign-in (B1), reset (B2) and browse (B3) loads against
 * 1 console + 1 worker, then 2 consoles + 2 workers sharing the same MariaDB and Redis, requests
 * spread round robin over the consoles as a load balancer would. Reports what one process of each
 * kind carries (per process and per CPU core it used) and how the totals grow from 1 to 2.
 */
import { BENCH_PASSWORD, dropQueuePrefix, Samples, SeededDatabase } from './data';
import { b1Product, clientIp } from './b1-signin';
import { AccountCursor, b2Product } from './b2-reset';
import { b3Product, BrowseRequest } from './b3-browse';
import { HttpAnswer, HttpClient, sessionCookieOf } from './load';
import { AppProcess, cpuMsOf, freePort, startConsole, startWorker } from './processes';
import { SmtpSink } from './smtp-sink';
import { BenchResult, median, round, spread } from './stats';

export interface ScaleOutContext {
  /** The apps' environment (secrets, database, Redis, SMTP), without port, prefix or public URL. */
  env: Record<string, string>;
  logDir: string;
  db: SeededDatabase;
  sink: SmtpSink;
  samples: Samples;
  requests: BrowseRequest[];
  seconds?: number;
  runs: number;
  track: (p: AppProcess) => AppProcess;
  stopAll: (list: AppProcess[]) => Promise<void>;
  log: (line: string) => void;
}

/** What one topology did in one run. */
interface Figures {
  signInsPerSecond: number;
  signInsPerConsoleCore: number;
  resetsPerSecond: number;
  resetsPerWorkerCore: number;
  browsePerSecond: number;
  browsePerConsoleCore: number;
}

/** Requests in turn to each console, as a round-robin load balancer sends them. */
class RoundRobin extends HttpClient {
  private next = 0;
  constructor(private readonly consoles: HttpClient[]) {
    super(consoles[0].port, 1);
  }
  override request(...args: Parameters<HttpClient['request']>): Promise<HttpAnswer> {
    return this.consoles[this.next++ % this.consoles.length].request(...args);
  }
  override close(): void {
    for (const c of this.consoles) c.close();
    super.close();
  }
}

/** CPU seconds the processes used while `work` ran. */
async function cpuSecondsOf<T>(pids: number[], work: () => Promise<T>): Promise<{ result: T; cpu: number }> {
  const total = () => pids.reduce((sum, pid) => sum + (cpuMsOf(pid) ?? 0), 0);
  const before = total();
  const result = await work();
  return { result, cpu: (total() - before) / 1000 };
}

async function measure(ctx: ScaleOutContext, n: number, run: number): Promise<Figures> {
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const prefix = `bench-scale-${process.pid}-${n}-${run}`;
  const env = { ...ctx.env, QUEUE_PREFIX: prefix, PUBLIC_URL: `http://127.0.0.1:${ports[0]}`, TRUST_PROXY: 'true' };
  const opts = { logDir: ctx.logDir };
  const started: AppProcess[] = [];
  const http = new RoundRobin(ports.map((p) => new HttpClient(p)));
  try {
    for (let w = 1; w <= n; w++) started.push(ctx.track(await startWorker(`scale-${n}-${run}-worker-${w}`, env, opts)));
    const consoles = await Promise.all(
      ports.map((port, i) => startConsole(`scale-${n}-${run}-console-${i + 1}`, port, env, opts).then(ctx.track)),
    );
    started.push(...consoles);
    const workers = started.filter((p) => !consoles.includes(p));
    const cookies: string[] = [];
    for (let c = 0; c < 16; c++) {
      const res = await http.request('POST', '/api/v1/auth/login', {
        json: { email: ctx.db.adminEmail, password: BENCH_PASSWORD },
        headers: { 'x-forwarded-for': clientIp(2_000_000 + c) },
      });
      const cookie = sessionCookieOf(res);
      if (res.status !== 200 || !cookie) throw new Error(`the distributor's admin cannot sign in (${res.status})`);
      cookies.push(cookie);
    }
    const consolePids = consoles.map((c) => c.pid);
    const workerPids = workers.map((w) => w.pid);

    const b1 = await cpuSecondsOf(consolePids, () =>
      b1Product(http, ctx.samples.signIn, BENCH_PASSWORD, ctx.seconds ?? 10, 3_000_000 + run * 100_000 + n * 10_000),
    );
    if (b1.result.errors) ctx.log(`  ! sign-ins: ${b1.result.errors} failed, e.g. ${b1.result.firstErrors[0]}`);
    const cursor = new AccountCursor(ctx.samples.distributorAccounts.slice((n * 7 + run * 13) % 50));
    const b2 = await cpuSecondsOf(workerPids, () => b2Product(http, cookies, cursor, ctx.sink, ctx.seconds ?? 15));
    if (b2.result.errors) ctx.log(`  ! resets: ${b2.result.errors} failed, e.g. ${b2.result.firstErrors[0]}`);
    if (!b2.result.drained) ctx.log('  ! resets: the backlog did not drain within 60 s');
    const b3 = await cpuSecondsOf(consolePids, () => b3Product(http, cookies, ctx.requests, ctx.seconds ?? 10));
    if (b3.result.errors) ctx.log(`  ! browsing: ${b3.result.errors} failed, e.g. ${b3.result.firstErrors[0]}`);

    const figures: Figures = {
      signInsPerSecond: b1.result.perSecond,
      signInsPerConsoleCore: b1.result.completed / b1.cpu,
      resetsPerSecond: b2.result.perSecond,
      resetsPerWorkerCore: b2.result.produced / b2.cpu,
      browsePerSecond: b3.result.ok / b3.result.seconds,
      browsePerConsoleCore: b3.result.completed / b3.cpu,
    };
    ctx.log(
      `scale-out ${n} console(s) + ${n} worker(s), run ${run}: ` +
        `${figures.signInsPerSecond.toFixed(1)} sign-ins/s (${figures.signInsPerConsoleCore.toFixed(1)} per console core), ` +
        `${figures.resetsPerSecond.toFixed(0)} resets delivered/s (${figures.resetsPerWorkerCore.toFixed(0)} per worker core), ` +
        `${figures.browsePerSecond.toFixed(0)} browse requests/s (${figures.browsePerConsoleCore.toFixed(0)} per console core)`,
    );
    return figures;
  } finally {
    http.close();
    await ctx.stopAll(started);
    await dropQueuePrefix(prefix);
  }
}

/** Runs both topologies `runs` times (alternating, so that a busy moment of the machine hits both). */
export async function scaleOut(ctx: ScaleOutContext): Promise<BenchResult[]> {
  const one: Figures[] = [];
  const two: Figures[] = [];
  for (let run = 1; run <= ctx.runs; run++) {
    one.push(await measure(ctx, 1, run));
    two.push(await measure(ctx, 2, run));
  }
  const row = (name: string, runs: number[], unit: string, note?: string): BenchResult => {
    const s = spread(runs);
    return {
      name,
      value: round(s.median),
      unit,
      ceiling: null,
      ratio: null,
      target: 'measured',
      met: true,
      min: round(s.min),
      median: round(s.median),
      max: round(s.max),
      runs: runs.map((v) => round(v)),
      ...(note ? { note } : {}),
    };
  };
  const kinds: Array<[keyof Figures, keyof Figures, string, string, string]> = [
    ['signInsPerSecond', 'signInsPerConsoleCore', 'sign-ins', 'logins/s', 'console'],
    ['resetsPerSecond', 'resetsPerWorkerCore', 'resets delivered', 'delivered/s', 'worker'],
    ['browsePerSecond', 'browsePerConsoleCore', 'browse requests', 'requests/s', 'console'],
  ];
  const out: BenchResult[] = [];
  for (const [total, perCore, what, unit, kind] of kinds) {
    const at1 = one.map((f) => f[total]);
    const at2 = two.map((f) => f[total]);
    out.push(row(`Scale-out ${what}, 1 console + 1 worker`, at1, unit));
    out.push(row(`Scale-out ${what}, 2 consoles + 2 workers`, at2, unit));
    out.push(
      row(
        `Scale-out ${what} per ${kind}, 2 + 2`,
        at2.map((v) => v / 2),
        unit,
      ),
    );
    out.push(
      row(
        `Scale-out ${what} per ${kind} core`,
        [...one, ...two].map((f) => f[perCore]),
        `${unit.split('/')[0]} per CPU s`,
        `what one fully busy core of a ${kind} carries, over both topologies`,
      ),
    );
    out.push(
      row(
        `Scale-out ${what}: 1 -> 2 scaling factor`,
        at2.map((v, i) => v / at1[i]),
        'x',
        `median of ${median(at2).toFixed(1)} / ${median(at1).toFixed(1)}`,
      ),
    );
  }
  return out;
}

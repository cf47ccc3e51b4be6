import http, { IncomingHttpHeaders } from 'node:http';
import { msSince } from './stats';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A small HTTP/1.1 client with keep-alive connections to one server on 127.0.0.1: the load
 * generator. Every request has a timeout; nothing here retries.
 */
export class HttpClient {
  private readonly agent: http.Agent;

  constructor(
    readonly port: number,
    sockets = 64,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  request(
    method: 'GET' | 'POST',
    path: string,
    options: { json?: unknown; cookie?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<HttpAnswer> {
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (options.cookie) headers.cookie = options.cookie;
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function sessionCookieOf(answer: HttpAnswer): string | undefined {
  const cookies = ([] as string[]).concat(answer.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('lmp_session='))?.split(';')[0];
}

export interface OpOutcome {
  kind: string;
  ok: boolean;
  error?: string;
}

export interface LoadResult {
  /** Length of the measured window. */
  seconds: number;
  /** Operations that ended, warm-up included (what CPU time is divided by). */
  completed: number;
  ok: number;
  errors: number;
  firstErrors: string[];
  /** Latency (ms) of every operation that ended inside the measured window, by kind. */
  latencies: Map<string, number[]>;
}

const record = (result: LoadResult, outcome: OpOutcome, ms: number) => {
  if (outcome.ok) {
    result.ok++;
    let list = result.latencies.get(outcome.kind);
    if (!list) result.latencies.set(outcome.kind, (list = []));
    list.push(ms);
  } else {
    result.errors++;
    if (result.firstErrors.length < 5) result.firstErrors.push(`${outcome.kind}: ${outcome.error ?? 'failed'}`);
  }
};

/**
 * `concurrency` clients, each running one operation after the other (a closed loop), for
 * `warmupSeconds` unmeasured and then `seconds` measured, or until `maxOps` operations started.
 * Operations still running at the end are awaited but not counted.
 */
export async function closedLoop(options: {
  concurrency: number;
  seconds: number;
  warmupSeconds?: number;
  maxOps?: number;
  op: (client: number, seq: number) => Promise<OpOutcome>;
}): Promise<LoadResult> {
  const result: LoadResult = {
    seconds: options.seconds,
    completed: 0,
    ok: 0,
    errors: 0,
    firstErrors: [],
    latencies: new Map(),
  };
  const start = process.hrtime.bigint();
  const warmupMs = (options.warmupSeconds ?? 0) * 1000;
  const endMs = warmupMs + options.seconds * 1000;
  const maxOps = options.maxOps ?? Number.MAX_SAFE_INTEGER;
  let started = 0;
  let measuredFrom = warmupMs;
  let measuredTo = endMs;
  const client = async (c: number) => {
    while (msSince(start) < endMs && started < maxOps) {
      const seq = started++;
      const t0 = process.hrtime.bigint();
      let outcome: OpOutcome;
      try {
        outcome = await options.op(c, seq);
      } catch (err) {
        outcome = { kind: 'error', ok: false, error: (err as Error).message };
      }
      const at = msSince(start);
      result.completed++;
      if (at >= warmupMs && at <= endMs) record(result, outcome, msSince(t0));
      if (started >= maxOps) measuredTo = Math.min(measuredTo, at);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, c) => client(c)));
  measuredFrom = Math.min(measuredFrom, measuredTo);
  result.seconds = (Math.min(measuredTo, msSince(start)) - measuredFrom) / 1000;
  return result;
}

/**
 * Operations started at a steady rate whatever their latency (an open loop), for `seconds`,
 * with at most `maxInFlight` running. Resolves when every started operation has ended.
 */
export async function openLoop(options: {
  ratePerSecond: number;
  seconds: number;
  maxInFlight?: number;
  op: (seq: number) => Promise<OpOutcome>;
}): Promise<LoadResult & { started: number; skipped: number }> {
  const result = {
    seconds: options.seconds,
    completed: 0,
    ok: 0,
    errors: 0,
    firstErrors: [] as string[],
    latencies: new Map<string, number[]>(),
    started: 0,
    skipped: 0,
  };
  const total = Math.round(options.ratePerSecond * options.seconds);
  const maxInFlight = options.maxInFlight ?? 1000;
  const start = process.hrtime.bigint();
  const running = new Set<Promise<void>>();
  for (let seq = 0; seq < total; seq++) {
    const due = (seq * 1000) / options.ratePerSecond;
    const wait = due - msSince(start);
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (running.size >= maxInFlight) {
      result.skipped++;
      continue;
    }
    result.started++;
    const t0 = process.hrtime.bigint();
    const p = options
      .op(seq)
      .catch((err: Error): OpOutcome => ({ kind: 'error', ok: false, error: err.message }))
      .then((outcome) => {
        result.completed++;
        record(result, outcome, msSince(t0));
      })
      .finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);
  return result;
}

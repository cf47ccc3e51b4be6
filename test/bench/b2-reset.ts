import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { jobDefaults, MailTemplate } from '../../libs/notifications/src/jobs';
import { Account } from './data';
import { closedLoop, HttpClient, openLoop } from './load';
import type { RawJob } from './raw-worker';
import { SmtpSink } from './smtp-sink';
import { percentile } from './stats';

export const CONCURRENCY = 16;
/** Producers pause while this many messages are queued and not yet delivered: a bounded backlog. */
const MAX_BACKLOG = 2000;
const DRAIN_MS = 60_000;

const pauseWhileBacklog = async (sink: SmtpSink, produced: () => number, base: number) => {
  while (produced() - (sink.delivered - base) > MAX_BACKLOG) await new Promise((r) => setTimeout(r, 5));
};

export interface ThroughputRun {
  perSecond: number;
  produced: number;
  errors: number;
  firstErrors: string[];
  drained: boolean;
}

/** The ceiling: BullMQ add (16 producers) → raw worker process → template → SMTP sink. Delivered/s. */
export async function b2Ceiling(
  redisUrl: string,
  prefix: string,
  sink: SmtpSink,
  seconds: number,
): Promise<ThroughputRun> {
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  const queue = new Queue<RawJob>('mail', { connection, prefix, defaultJobOptions: jobDefaults(8, 2000) });
  const base = sink.delivered;
  let produced = 0;
  try {
    const from = performance.now() + 1000;
    const r = await closedLoop({
      concurrency: CONCURRENCY,
      seconds,
      warmupSeconds: 1,
      op: async (_c, seq) => {
        await pauseWhileBacklog(sink, () => produced, base);
        const id = randomUUID();
        await queue.add(
          MailTemplate.PasswordReset,
          {
            to: `raw-${seq}@bench.example.com`,
            props: {
              firstName: 'Ada',
              link: `http://127.0.0.1/reset-password?token=${id}${id}`,
              expiresInMinutes: 60,
              partnerName: 'Seed Distributor',
            },
          },
          { jobId: id },
        );
        produced++;
        return { kind: 'add', ok: true };
      },
    });
    const to = from + r.seconds * 1000;
    const perSecond = sink.countBetween(from, to) / r.seconds;
    const drained = await sink.waitForTotal(base + produced, DRAIN_MS);
    return { perSecond, produced, errors: r.errors, firstErrors: r.firstErrors, drained };
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
}

const resetPath = (a: Account) => `/api/v1/partner/customers/${a.customerId}/accounts/${a.accountId}/password-reset`;

/** Hands out the distributor's accounts in turn, so that each reset goes to a fresh recipient. */
export class AccountCursor {
  private next = 0;
  constructor(private readonly accounts: Account[]) {}
  take(): Account {
    return this.accounts[this.next++ % this.accounts.length];
  }
}

/**
 * Partner-triggered resets through the API (16 clients, one cookie each) → console transaction →
 * BullMQ → worker process(es) → SMTP sink. Delivered/s over the window.
 */
export async function b2Product(
  http: HttpClient,
  cookies: string[],
  accounts: AccountCursor,
  sink: SmtpSink,
  seconds: number,
): Promise<ThroughputRun> {
  const base = sink.delivered;
  let produced = 0;
  const from = performance.now() + 1000;
  const r = await closedLoop({
    concurrency: CONCURRENCY,
    seconds,
    warmupSeconds: 1,
    op: async (client) => {
      await pauseWhileBacklog(sink, () => produced, base);
      const res = await http.request('POST', resetPath(accounts.take()), { cookie: cookies[client % cookies.length] });
      if (res.status === 202) produced++;
      return { kind: 'reset', ok: res.status === 202, error: `${res.status} ${res.body.slice(0, 200)}` };
    },
  });
  const to = from + r.seconds * 1000;
  const perSecond = sink.countBetween(from, to) / r.seconds;
  const drained = await sink.waitForTotal(base + produced, DRAIN_MS);
  return { perSecond, produced, errors: r.errors, firstErrors: r.firstErrors, drained };
}

/**
 * Resets at a steady rate (an open loop), each timed from the moment its request is sent to
 * the moment the SMTP sink has the whole message. p99 in ms; a message not delivered within
 * 30 s counts as infinitely late.
 */
export async function b2Latency(
  http: HttpClient,
  cookies: string[],
  accounts: AccountCursor,
  sink: SmtpSink,
  ratePerSecond: number,
  seconds: number,
): Promise<{ p50: number; p99: number; max: number; count: number; errors: number; firstErrors: string[] }> {
  const latencies: number[] = [];
  const r = await openLoop({
    ratePerSecond,
    seconds,
    op: async (seq) => {
      const account = accounts.take();
      const sent = performance.now();
      const delivered = new Promise<number>((resolve) => {
        sink.watch(account.email, resolve);
        setTimeout(() => resolve(Infinity), 30_000).unref();
      });
      const res = await http.request('POST', resetPath(account), { cookie: cookies[seq % cookies.length] });
      if (res.status !== 202) return { kind: 'reset', ok: false, error: `${res.status} ${res.body.slice(0, 200)}` };
      const at = await delivered;
      latencies.push(at - sent);
      return Number.isFinite(at)
        ? { kind: 'reset', ok: true }
        : { kind: 'reset', ok: false, error: 'not delivered in 30 s' };
    },
  });
  sink.unwatchAll();
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    count: latencies.length,
    errors: r.errors,
    firstErrors: r.firstErrors,
  };
}

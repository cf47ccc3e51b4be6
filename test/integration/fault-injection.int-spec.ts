import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { DataSource, FindOptionsWhere, In } from 'typeorm';
import { loadConfig } from '@lmp/config';
import { OutboxMessage } from '@lmp/database';
import { OutboxProcessor, QueueName } from '@lmp/notifications';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { RunningConsole, startConsole } from '../support/console-app';
import {
  duplicates,
  PrivateRedis,
  report,
  seededAccounts,
  triggerResets,
  waitUntil,
  WorkerProcess,
} from '../support/fault';
import { TestSmtpServer } from '../support/smtp';
import { freshDatabase } from '../support/services';

const root = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require(join(root, 'scripts', 'ensure-built.js')) as { ensureBuilt: (app: string) => string };

const RESET = 'Reset your password';
/** FAULT_SCALE=full runs the storms at the size of an operator's worst morning (minutes, not seconds). */
const FULL = process.env.FAULT_SCALE === 'full';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Faults on the delivery path, with a Redis and an SMTP server the test controls. A message
 * the console accepted must arrive, once.
 */
describe('delivery under faults (MariaDB + private Redis + SMTP)', () => {
  let redis: PrivateRedis;
  let smtp: TestSmtpServer;
  let db: { url: string; drop: () => Promise<void> };
  let console_: RunningConsole;
  let env: Record<string, string>;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(() => {
    ensureBuilt('worker');
    ensureBuilt('cli');
  }, 120_000);

  beforeEach(async () => {
    redis = await new PrivateRedis().start();
    smtp = await new TestSmtpServer().start();
    db = await freshDatabase();
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      QUEUE_PREFIX: `f${randomBytes(3).toString('hex')}`,
      MIGRATE_ON_START: 'true',
      RELAY_DELAY_MS: '500',
      RELAY_INTERVAL_MS: '200',
      RETRY_BASE_MS: '50',
      MAIL_ATTEMPTS: '10',
      WORKER_CONCURRENCY: '5',
      // A killed worker's messages are taken over this long after they were claimed.
      OUTBOX_LEASE_MS: '10000',
      PUBLIC_URL: 'http://console.test',
    };
    console_ = await startConsole(env);
    env.MIGRATE_ON_START = 'false';
    env.DATA_DIR = console_.dataDir;
  }, 60_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    // A test that failed mid-outage: the console closes its queues only with Redis there.
    if (redis && !redis.running) await redis.start();
    await console_?.close();
    await smtp?.stop();
    await redis?.stop();
    await db?.drop();
  }, 60_000);

  async function workerContext(): Promise<INestApplicationContext> {
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    const ctx = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    cleanups.push(() => ctx.close());
    return ctx;
  }

  /**
   * Reset mails in the outbox matching `where`. Only those: the workers' license scan may mail the
   * seed's expiring licenses beside them.
   */
  function resetRows(where: FindOptionsWhere<OutboxMessage>): Promise<number> {
    return outboxRows().countBy({ template: 'password-reset', ...where });
  }

  function workerProcess(extra: Record<string, string> = {}): WorkerProcess {
    const w = new WorkerProcess({ ...env, ...extra });
    cleanups.push(async () => {
      if (w.child.exitCode === null && w.child.signalCode === null) w.kill('SIGKILL');
      await w.exited;
    });
    return w;
  }

  const outboxRows = () => console_.app.get(DataSource).getRepository(OutboxMessage);
  const resetMails = () => smtp.received.filter((m) => m.subject === RESET);
  const distinctRecipients = () => new Set(resetMails().map((m) => m.to)).size;

  /** Every copy of one message carries the same Message-ID, the outbox id: a copy can be recognised. */
  function expectCopiesRecognisable(): void {
    const idsByRecipient = new Map<string, Set<string>>();
    for (const m of resetMails()) idsByRecipient.set(m.to, (idsByRecipient.get(m.to) ?? new Set()).add(m.messageId));
    for (const [to, ids] of idsByRecipient) {
      expect({ to, messageIds: ids.size }).toEqual({ to, messageIds: 1 });
      expect([...ids][0]).toMatch(/^<[0-9a-f-]{36}@console\.test>$/);
    }
  }

  it('Redis stopped: 200 resets are accepted, and all arrive once Redis is back', async () => {
    const { admin, accounts } = await seededAccounts(console_.app, 200);
    await workerContext();
    await redis.stop();

    const started = Date.now();
    const requests = await triggerResets(admin, accounts);
    expect(requests).toHaveLength(200);
    expect(await resetRows({ status: 'pending' })).toBe(200);

    await redis.start();
    const drainMs = await waitUntil(
      '200 reset mails',
      () => smtp.received.filter((m) => m.subject === RESET).length >= 200,
      90_000,
    );
    await waitUntil('every row sent', async () => (await resetRows({ status: 'sent' })) === 200, 20_000);
    const dupes = duplicates(smtp.received, RESET);
    report('redis outage', {
      triggered: 200,
      delivered: smtp.received.filter((m) => m.subject === RESET).length,
      duplicates: dupes,
      drainAfterRedisBackMs: drainMs,
      totalMs: Date.now() - started,
    });
    expect(new Set(smtp.received.filter((m) => m.subject === RESET).map((m) => m.to))).toEqual(
      new Set(accounts.map((a) => a.email)),
    );
    expect(dupes).toBe(0);
  }, 150_000);

  it('a worker killed with SIGKILL mid-batch: the other worker delivers everything', async () => {
    const { admin, accounts } = await seededAccounts(console_.app, 200);
    smtp.rcptDelayMs = 40;
    const a = await workerProcess().ready();
    const b = await workerProcess().ready();
    const started = Date.now();
    await triggerResets(admin, accounts);

    await waitUntil('a batch under way', () => smtp.received.length >= 30, 30_000);
    a.kill('SIGKILL');
    const killedAt = smtp.received.length;
    expect((await a.exited).signal).toBe('SIGKILL');

    const drainMs = await waitUntil(
      '200 reset mails after the kill',
      () => new Set(smtp.received.filter((m) => m.subject === RESET).map((m) => m.to)).size >= 200,
      90_000,
    );
    await waitUntil('every row sent', async () => (await resetRows({ status: 'sent' })) === 200, 30_000);
    const dupes = duplicates(smtp.received, RESET);
    report('worker SIGKILL', {
      triggered: 200,
      deliveredBeforeKill: killedAt,
      delivered: smtp.received.length,
      duplicates: dupes,
      drainAfterKillMs: drainMs,
      totalMs: Date.now() - started,
    });
    // A duplicate needs the kill to land between the SMTP server's accept and the row being
    // marked sent; with at most WORKER_CONCURRENCY jobs in flight, never more than that.
    expect(dupes).toBeLessThanOrEqual(5);
    expect(b.child.exitCode).toBeNull();
  }, 150_000);

  it('SMTP 451 on 20 % of messages: all arrive after retries; a 550 is dead at once and queue:retry --dead sends it', async () => {
    const { admin, accounts } = await seededAccounts(console_.app, 101);
    const bounce = accounts[0];
    const others = accounts.slice(1);
    let rng = 42;
    const random = () => (rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let tempFailures = 0;
    smtp.verdict = (rcpt) => {
      if (rcpt === bounce.email) return { code: 550, message: 'No such user here' };
      if (random() < 0.2) {
        tempFailures++;
        return { code: 451, message: 'Try again later' };
      }
      return null;
    };
    await workerContext();
    const started = Date.now();
    const [bounceRequest] = await triggerResets(admin, [bounce]);
    await triggerResets(admin, others);

    const drainMs = await waitUntil(
      '100 reset mails through 451s',
      () => new Set(smtp.received.filter((m) => m.subject === RESET).map((m) => m.to)).size >= 100,
      90_000,
    );
    const dead = await waitUntil(
      'the 550 row to be dead',
      async () => (await resetRows({ status: 'dead' })) === 1,
      20_000,
    );
    const deadRow = await outboxRows().findOneByOrFail({ recipient: bounce.email });
    expect(deadRow).toMatchObject({ status: 'dead', attempts: 1 });
    expect(deadRow.lastError).toContain('550');
    const partnerView = await admin.get(`/api/v1/partner/password-resets/${bounceRequest}`).expect(200);
    expect(partnerView.body).toMatchObject({ status: 'failed', reason: expect.stringContaining('550') });

    const lmp = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, 'dist', 'apps', 'cli', 'main.js'), ...args], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
    const status = lmp('queue:status', '--json');
    expect(status.status).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      queues: Record<string, { failed: number }>;
      outbox: Record<string, number>;
      dead: Array<{ id: string }>;
    };
    expect(parsed.outbox.dead).toBe(1);
    expect(parsed.dead.map((d) => d.id)).toEqual([deadRow.id]);
    expect(parsed.queues.mail.failed).toBe(1);
    expect(lmp('queue:status').stdout).toContain(deadRow.id);

    smtp.verdict = () => null;
    const retried = lmp('queue:retry', '--dead');
    expect(retried.stdout.trim()).toBe('queued 1 of 1 dead message(s) again');
    await waitUntil('the bounced mail after the fix', () => smtp.count(bounce.email, RESET) === 1, 20_000);
    await waitUntil(
      'its row sent',
      async () => (await outboxRows().findOneByOrFail({ id: deadRow.id })).status === 'sent',
      10_000,
    );
    const dupes = duplicates(smtp.received, RESET);
    report('smtp 451/550', {
      triggered: 101,
      temporaryFailures: tempFailures,
      delivered: smtp.received.length,
      duplicates: dupes,
      drainMs,
      deadAfterMs: dead,
      totalMs: Date.now() - started,
    });
    expect(dupes).toBe(0);
  }, 150_000);

  it(`a retry lost with Redis' data (first attempts 451, Redis restarted empty, a worker SIGKILLed and replaced): ${
    FULL ? 1000 : 200
  } resets arrive once, soon after Redis is back`, async () => {
    const n = FULL ? 1000 : 200;
    const outageMs = FULL ? 30_000 : 10_000;
    const { admin, accounts } = await seededAccounts(console_.app, n);
    const before = accounts.slice(0, n / 2);
    const during = accounts.slice(n / 2);
    // One message in five is answered 451 on its first attempt; its retry lives only as a
    // delayed job when Redis goes down.
    const flaky = new Set(accounts.filter((_, i) => i % 5 === 0).map((a) => a.email));
    const refused = new Set<string>();
    smtp.verdict = (rcpt) => {
      if (!flaky.has(rcpt) || refused.has(rcpt)) return null;
      refused.add(rcpt);
      return { code: 451, message: 'Try again later' };
    };
    // The default grace (60 s): the sweep when Redis is back must not wait for it. The first
    // retry is due 5 to 10 s after the 451, during the outage or just after it.
    const extra = { RETRY_BASE_MS: '10000', OUTBOX_LEASE_MS: '10000', OUTBOX_OVERDUE_GRACE_MS: '60000' };
    const a = await workerProcess(extra).ready();
    await workerProcess(extra).ready();
    const started = Date.now();
    const firstIds = await triggerResets(admin, before);
    // Every first attempt of the first half made: sent, or failed with its retry due seconds later.
    await waitUntil(
      'the first half through its first attempt',
      async () => (await resetRows({ status: In(['sent', 'failed']) })) === n / 2,
      60_000,
    );

    await redis.stop();
    const stoppedAt = Date.now();
    const lostRetries = await outboxRows().findBy({ status: 'failed' });
    expect(lostRetries.length).toBeGreaterThan(0);
    expect(lostRetries.every((r) => r.attempts === 1 && r.dueAt !== null)).toBe(true);
    // Accepted while Redis is down: they wait as pending rows.
    expect(await triggerResets(admin, during)).toHaveLength(n / 2);
    a.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    await workerProcess(extra).ready();
    // The partner sees a message still on its way, not a failure.
    const lostRequest = firstIds[before.findIndex((acc) => acc.email === lostRetries[0].recipient)];
    const view = await admin.get(`/api/v1/partner/password-resets/${lostRequest}`).expect(200);
    expect(view.body).toMatchObject({ status: 'queued', reason: null });
    await sleep(Math.max(0, stoppedAt + outageMs - Date.now()));

    await redis.start();
    const outage = Date.now() - stoppedAt;
    // Within the grace at the small size: the sweep when Redis came back found the lost
    // retries, not the overdue rule. The full size must finish within three minutes.
    const limitMs = FULL ? 180_000 : 45_000;
    const drainMs = await waitUntil(`${n} reset mails after Redis is back`, () => distinctRecipients() >= n, limitMs);
    await waitUntil('every row sent', async () => (await resetRows({ status: 'sent' })) === n, 30_000);
    const dupes = duplicates(smtp.received, RESET);
    report('lost retries', {
      triggered: n,
      firstAttempt451: refused.size,
      retriesLostWithRedis: lostRetries.length,
      outageMs: outage,
      delivered: resetMails().length,
      duplicates: dupes,
      lastDeliveredAfterRedisBackMs: drainMs,
      totalMs: Date.now() - started,
    });
    expect(new Set(resetMails().map((m) => m.to))).toEqual(new Set(accounts.map((acc) => acc.email)));
    expect(drainMs).toBeLessThan(limitMs);
    expect(dupes).toBe(0);
    expectCopiesRecognisable();
  }, 600_000);

  it(`a SIGKILL storm: ${FULL ? 1000 : 300} resets while workers are killed mid-batch ${
    FULL ? 4 : 2
  } times; everything arrives, copies are few and recognisable`, async () => {
    const n = FULL ? 1000 : 300;
    const kills = FULL ? 4 : 2;
    const concurrency = 5;
    const { admin, accounts } = await seededAccounts(console_.app, n);
    smtp.rcptDelayMs = 10;
    const extra = { OUTBOX_LEASE_MS: '5000', OUTBOX_OVERDUE_GRACE_MS: '5000', WORKER_CONCURRENCY: String(concurrency) };
    const workers = [await workerProcess(extra).ready(), await workerProcess(extra).ready()];
    const started = Date.now();
    await triggerResets(admin, accounts);

    for (let k = 1; k <= kills; k++) {
      await waitUntil(`kill ${k} mid-batch`, () => resetMails().length >= Math.floor((n * k) / (kills + 1)), 120_000);
      const victim = workers[k % 2];
      victim.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');
      workers[k % 2] = await workerProcess(extra).ready();
    }
    const killedAt = Date.now();

    const drainMs = await waitUntil(`${n} reset mails after the kills`, () => distinctRecipients() >= n, 120_000);
    await waitUntil('every row sent', async () => (await resetRows({ status: 'sent' })) === n, 30_000);
    const dupes = duplicates(smtp.received, RESET);
    report('SIGKILL storm', {
      triggered: n,
      kills,
      delivered: resetMails().length,
      duplicates: dupes,
      duplicatesPer1000: Math.round((dupes / n) * 1000 * 10) / 10,
      drainAfterLastKillMs: drainMs,
      totalMs: Date.now() - started,
      sinceLastKillMs: Date.now() - killedAt,
    });
    // A copy needs the kill to land between the SMTP server's accept and the row's own UPDATE
    // (the claim keeps every other run away): at most the jobs in flight on the killed worker.
    expect(dupes).toBeLessThanOrEqual(kills * concurrency);
    expectCopiesRecognisable();
  }, 600_000);

  it('a job run again while its first run still sends (the worker stalled): the second run waits, one mail', async () => {
    const { admin, accounts } = await seededAccounts(console_.app, 1);
    smtp.rcptDelayMs = 2000;
    // Longer than it takes BullMQ to call the frozen run's job stalled and hand it over.
    const extra = { OUTBOX_LEASE_MS: '30000', WORKER_CONCURRENCY: '1' };
    const a = await workerProcess(extra).ready();
    await triggerResets(admin, accounts);
    await waitUntil('the first run holding the row', async () => (await resetRows({ status: 'sending' })) === 1);
    // (Beside it the workers may be mailing the seed's expiring licenses: look for this address.)
    await waitUntil('the first run mid-transaction', () => smtp.rcptTo.includes(accounts[0].email.toLowerCase()));
    // Frozen mid-send: its lock on the job runs out and another worker takes the job over.
    a.kill('SIGSTOP');
    const b = await workerProcess(extra).ready();
    await waitUntil('the job taken over and held', () => b.output.includes('held by another run'), 40_000);
    a.kill('SIGCONT');

    await waitUntil('the mail', () => smtp.count(accounts[0].email, RESET) >= 1, 30_000);
    await waitUntil('its row sent', async () => (await resetRows({ status: 'sent' })) === 1, 30_000);
    // The second run looks again when the first's lease ends, and finds the row sent.
    await sleep(2000);
    expect(smtp.count(accounts[0].email, RESET)).toBe(1);
    expect(await outboxRows().findOneByOrFail({ recipient: accounts[0].email })).toMatchObject({
      status: 'sent',
      attempts: 1,
    });
  }, 120_000);

  it('50 runs of one message at once, on MariaDB: one claims it, one mail', async () => {
    const { admin, accounts } = await seededAccounts(console_.app, 1);
    // No worker runs, and with Redis down the console leaves the row pending for this test.
    await redis.stop();
    await triggerResets(admin, accounts);
    await redis.start();
    const row = await outboxRows().findOneByOrFail({ recipient: accounts[0].email });
    expect(row.status).toBe('pending');
    const processor = console_.app.get(OutboxProcessor);

    const results = await Promise.allSettled(Array.from({ length: 50 }, () => processor.process(row.id)));

    expect(results.filter((r) => r.status === 'fulfilled' && r.value === 'sent')).toHaveLength(1);
    // The others saw it held or already sent; none sent it.
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as Error).name).toBe('RowBusyError');
      else expect(['sent', 'already-sent']).toContain(r.value);
    }
    expect(smtp.count(accounts[0].email, RESET)).toBe(1);
    expect(await outboxRows().findOneByOrFail({ id: row.id })).toMatchObject({ status: 'sent', attempts: 1 });
  }, 60_000);

  it('SIGTERM during a batch: running jobs finish, the worker exits 0, nothing is left active', async () => {
    const { admin, accounts } = await seededAccounts(console_.app, 40);
    smtp.rcptDelayMs = 300;
    const w = await workerProcess({ SHUTDOWN_TIMEOUT_MS: '20000' }).ready();
    const ids = await triggerResets(admin, accounts);
    expect(ids).toHaveLength(40);
    await waitUntil('the first mails', () => smtp.received.length >= 2, 30_000);

    const beforeTerm = smtp.received.length;
    const termAt = Date.now();
    w.kill('SIGTERM');
    const exit = await w.exited;
    const stopMs = Date.now() - termAt;
    expect(exit).toEqual({ code: 0, signal: null });

    const queue = new Queue(QueueName.Mail, {
      connection: new IORedis(redis.url, { maxRetriesPerRequest: null }),
      prefix: env.QUEUE_PREFIX,
    });
    cleanups.push(async () => {
      await queue.close();
      (await queue.client).disconnect();
    });
    const counts = await queue.getJobCounts('active', 'waiting', 'completed');
    expect(counts.active).toBe(0);
    // Every job that was running finished: each completed job's row is sent, and the rest wait.
    // Only the resets' jobs are counted (a job's id is its outbox row's): the workers' license
    // scan may have queued notices of the demo seed beside them.
    const rows = await outboxRows().findBy({ template: 'password-reset' });
    const sent = rows.filter((r) => r.status === 'sent').length;
    expect(sent).toBe(smtp.received.filter((m) => m.subject === RESET).length);
    const resetIds = new Set(rows.map((r) => r.id));
    const waiting = (await queue.getJobs(['waiting'])).filter((j) => j.id && resetIds.has(j.id)).length;
    expect(sent + waiting).toBe(40);
    expect(w.output).toContain('queue workers stopped');

    // Nothing is lost: another worker picks up what was waiting.
    await workerContext();
    await waitUntil(
      'the rest of the batch',
      async () => (await resetRows({ status: 'sent', id: In(rows.map((r) => r.id)) })) === 40,
      60_000,
    );
    report('worker SIGTERM', {
      triggered: 40,
      deliveredBeforeTerm: beforeTerm,
      completedDuringShutdown: sent - beforeTerm,
      waitingAfterExit: waiting,
      stopMs,
      duplicates: duplicates(smtp.received, RESET),
    });
    expect(duplicates(smtp.received, RESET)).toBe(0);
  }, 150_000);
});

import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { DataSource, In } from 'typeorm';
import { loadConfig } from '@lmp/config';
import { OutboxMessage } from '@lmp/database';
import { QueueName } from '@lmp/notifications';
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
      PUBLIC_URL: 'http://console.test',
    };
    console_ = await startConsole(env);
    env.MIGRATE_ON_START = 'false';
    env.DATA_DIR = console_.dataDir;
  }, 60_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
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

  function workerProcess(extra: Record<string, string> = {}): WorkerProcess {
    const w = new WorkerProcess({ ...env, ...extra });
    cleanups.push(async () => {
      if (w.child.exitCode === null && w.child.signalCode === null) w.kill('SIGKILL');
      await w.exited;
    });
    return w;
  }

  const outboxRows = () => console_.app.get(DataSource).getRepository(OutboxMessage);

  it('Redis stopped: 200 resets are accepted, and all arrive once Redis is back', async () => {
    const { admin, accounts } = await seededAccounts(console_.app, 200);
    await workerContext();
    await redis.stop();

    const started = Date.now();
    const requests = await triggerResets(admin, accounts);
    expect(requests).toHaveLength(200);
    expect(await outboxRows().countBy({ status: 'pending' })).toBe(200);

    await redis.start();
    const drainMs = await waitUntil(
      '200 reset mails',
      () => smtp.received.filter((m) => m.subject === RESET).length >= 200,
      90_000,
    );
    await waitUntil('every row sent', async () => (await outboxRows().countBy({ status: 'sent' })) === 200, 20_000);
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
    await waitUntil('every row sent', async () => (await outboxRows().countBy({ status: 'sent' })) === 200, 30_000);
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
      async () => (await outboxRows().countBy({ status: 'dead' })) === 1,
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
    const rows = await outboxRows().findBy({ template: 'password-reset' });
    const sent = rows.filter((r) => r.status === 'sent').length;
    expect(sent).toBe(smtp.received.length);
    expect(sent + counts.waiting).toBe(40);
    expect(w.output).toContain('queue workers stopped');

    // Nothing is lost: another worker picks up what was waiting.
    await workerContext();
    await waitUntil(
      'the rest of the batch',
      async () => (await outboxRows().countBy({ status: 'sent', id: In(rows.map((r) => r.id)) })) === 40,
      60_000,
    );
    report('worker SIGTERM', {
      triggered: 40,
      deliveredBeforeTerm: beforeTerm,
      completedDuringShutdown: sent - beforeTerm,
      waitingAfterExit: counts.waiting,
      stopMs,
      duplicates: duplicates(smtp.received, RESET),
    });
    expect(duplicates(smtp.received, RESET)).toBe(0);
  }, 150_000);
});

import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@lmp/config';
import { QueueName } from '@lmp/notifications';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { RunningConsole, startConsole } from '../support/console-app';
import { report, seededAccounts, triggerResets, waitUntil } from '../support/fault';
import { TestSmtpServer } from '../support/smtp';
import { dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from '../support/services';

/** The worker's send rate limit and its hourly prune schedule. */
describe('worker rate limit and schedule (MariaDB + Redis)', () => {
  const prefix = `lmpw${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop: () => Promise<void> };
  let smtp: TestSmtpServer;
  let console_: RunningConsole;
  let worker: INestApplicationContext;
  const arrivals: number[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    smtp = await new TestSmtpServer().start();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      SMTP_URL: smtp.url,
      QUEUE_PREFIX: prefix,
      MIGRATE_ON_START: 'true',
    };
    console_ = await startConsole(env);
    const config = loadConfig({
      ...env,
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'silent',
      DATA_DIR: console_.dataDir,
      SEND_RATE_PER_SECOND: '5',
      WORKER_CONCURRENCY: '10',
    });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
    smtp.verdict = () => {
      arrivals.push(Date.now());
      return null;
    };
  });

  afterAll(async () => {
    await worker?.close();
    await console_?.close();
    await smtp?.stop();
    await db?.drop();
    await dropQueuePrefix(prefix);
  });

  it('sends no more than SEND_RATE_PER_SECOND messages a second', async () => {
    const { admin, accounts } = await seededAccounts(console_.app, 12);
    await triggerResets(admin, accounts);
    await waitUntil('12 mails', () => smtp.received.length >= 12, 20_000);
    const spanMs = arrivals[arrivals.length - 1] - arrivals[0];
    report('rate limit 5/s', { messages: 12, spanMs });
    // 12 messages at 5 a second take at least two full windows after the first five.
    expect(spanMs).toBeGreaterThanOrEqual(1500); // unthrottled, 12 messages take ~100 ms
  });

  it('schedules the hourly prune and the license scan once each, however many workers run', async () => {
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.Maintenance, { connection, prefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      const byKey = schedulers
        .map((s) => ({ key: s.key, name: s.name, every: s.every }))
        .sort((a, b) => a.key.localeCompare(b.key));
      expect(byKey).toEqual([
        { key: 'license-notices', name: 'license-notices', every: 3600_000 },
        { key: 'prune-hourly', name: 'prune', every: 3600_000 },
      ]);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});

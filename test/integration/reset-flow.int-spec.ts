import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '@lmp/config';
import { OutboxMessage } from '@lmp/database';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { RunningConsole, startConsole } from '../support/console-app';
import { runCoreFlow } from '../support/core-flow';
import { TestSmtpServer } from '../support/smtp';
import { dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from '../support/services';

/**
 * The core flow on the production path: MariaDB, BullMQ on Redis, a worker in its own Nest
 * application context (no HTTP), and a real SMTP server that receives the mail.
 */
describe('partner-triggered password reset (MariaDB + Redis + worker + SMTP)', () => {
  const prefix = `lmpt${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop: () => Promise<void> };
  let smtp: TestSmtpServer;
  let console_: RunningConsole;
  let worker: INestApplicationContext;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await freshDatabase();
    smtp = await new TestSmtpServer().start();
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      SMTP_URL: smtp.url,
      QUEUE_PREFIX: prefix,
      MIGRATE_ON_START: 'true',
      WORKER_CONCURRENCY: '4',
    };
    console_ = await startConsole(env);
    const workerConfig: AppConfig = loadConfig({
      ...env,
      LOG_LEVEL: 'silent',
      DATA_DIR: console_.dataDir,
      MIGRATE_ON_START: 'false',
    });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(workerConfig), { logger: false });
    worker.enableShutdownHooks();
  });

  afterAll(async () => {
    await worker?.close();
    await console_?.close();
    await smtp?.stop();
    await db?.drop();
    await dropQueuePrefix(prefix);
  });

  it('delivers invitation and reset through the queue and the worker, each once', async () => {
    await runCoreFlow(
      {
        app: console_.app,
        publicUrl: 'http://console.test',
        settle: async () => undefined,
        mailbox: {
          waitFor: (to, subject) => smtp.waitFor(to, subject),
          count: async (to, subject) => smtp.received.filter((m) => m.to === to && m.subject === subject).length,
        },
      },
      'mariadb',
    );
    const rows = await console_.app.get(DataSource).getRepository(OutboxMessage).find();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'sent', attempts: 1, payload: null });
    }
    // The Message-ID is the outbox id, so a resend after a crash can be recognised downstream.
    expect(smtp.received.map((m) => m.messageId.replace(/^<|@.*$/g, '')).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('keeps the message pending when Redis is unreachable at commit time', async () => {
    // A console whose Redis URL points at a closed port: the reset is accepted and the row waits.
    const offline = await startConsole({ ...env, REDIS_URL: 'redis://127.0.0.1:1', MIGRATE_ON_START: 'false' });
    try {
      const { partnerWithAdmin } = await import('../support/fixtures');
      const { agent } = await partnerWithAdmin(offline.app, 'offline');
      const c = await agent
        .post('/api/v1/partner/customers')
        .send({ companyName: 'Offline Co', country: 'GB' })
        .expect(201);
      await agent
        .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
        .send({ email: 'u@offline.example.com', firstName: 'U', lastName: 'O', role: 'read_only' })
        .expect(201);
      const row = await offline.app
        .get(DataSource)
        .getRepository(OutboxMessage)
        .findOneByOrFail({ recipient: 'u@offline.example.com' });
      expect(row.status).toBe('pending');
      const ready = await (await import('supertest')).default(offline.app.getHttpServer()).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.redis.status).toBe('down');
    } finally {
      await offline.close();
    }
  });
});

import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@lmp/config';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { startConsole } from '../support/console-app';
import { selfServiceSuite } from '../support/self-service-flow';
import { TestSmtpServer } from '../support/smtp';
import { dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from '../support/services';

/** Self-service on the production path: MariaDB, rate limits in Redis, mail through a worker and SMTP. */
describe('self-service (MariaDB + Redis + worker + SMTP)', () => {
  selfServiceSuite(async () => {
    const prefix = `lmps${randomBytes(3).toString('hex')}`;
    const db = await freshDatabase();
    const smtp = await new TestSmtpServer().start();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      SMTP_URL: smtp.url,
      QUEUE_PREFIX: prefix,
      MIGRATE_ON_START: 'true',
      TRUST_PROXY: 'true',
    };
    const sut = await startConsole(env);
    const workerConfig = loadConfig({ ...env, MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent', DATA_DIR: sut.dataDir });
    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(workerConfig), { logger: false });
    return {
      ctx: {
        app: sut.app,
        clock: sut.clock,
        settle: sut.settle,
        mailbox: {
          waitFor: (to, subject) => smtp.waitFor(to, subject),
          count: async (to, subject) => smtp.count(to, subject),
        },
      },
      close: async () => {
        await worker.close();
        await sut.close();
        await smtp.stop();
        await db.drop();
        await dropQueuePrefix(prefix);
      },
    };
  });
});

import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@lmp/config';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { RunningConsole, startConsole } from './console-app';
import { Mailbox } from './core-flow';
import { mailsTo } from './mail';
import { dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from './services';
import { TestSmtpServer } from './smtp';

/** The mail an embedded console wrote as .eml files, read after in-process delivery settles. */
export function fileMailbox(sut: RunningConsole): Mailbox {
  return {
    waitFor: async (to, subject) => {
      await sut.settle();
      const found = await mailsTo(sut.dataDir, to, subject);
      if (!found.length) throw new Error(`no mail "${subject}" to ${to}`);
      return found.sort((a, b) => a.date - b.date)[found.length - 1];
    },
    count: async (to, subject) => (await mailsTo(sut.dataDir, to, subject)).length,
  };
}

export interface ProductionStack {
  sut: RunningConsole;
  smtp: TestSmtpServer;
  worker: INestApplicationContext;
  /** The SMTP server as a Mailbox. */
  mailbox: Mailbox;
  close(): Promise<void>;
}

/**
 * The console on a fresh MariaDB database and Redis (a queue prefix of its own), one worker in
 * this process, and an SMTP server: the production path. `env` adds settings to both apps.
 */
export async function startProductionStack(env: Record<string, string> = {}): Promise<ProductionStack> {
  const prefix = `lmp${randomBytes(4).toString('hex')}`;
  const db = await freshDatabase();
  const smtp = await new TestSmtpServer().start();
  const full = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    SMTP_URL: smtp.url,
    QUEUE_PREFIX: prefix,
    MIGRATE_ON_START: 'true',
    ...env,
  };
  const sut = await startConsole(full);
  const worker = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(loadConfig({ ...full, MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent', DATA_DIR: sut.dataDir })),
    { logger: false },
  );
  return {
    sut,
    smtp,
    worker,
    mailbox: { waitFor: (to, subject) => smtp.waitFor(to, subject), count: async (to, subject) => smtp.count(to, subject) },
    close: async () => {
      await worker.close();
      await sut.close();
      await smtp.stop();
      await db.drop();
      await dropQueuePrefix(prefix);
    },
  };
}

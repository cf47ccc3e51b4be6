import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@lmp/config';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { RunningConsole, startConsole, TestClock } from './console-app';
import { Mailbox } from './core-flow';
import { Started } from './flows';
import { mailsTo } from './mail';
import { dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from './services';
import { TestSmsGateway } from './sms-gateway';
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
  /** The settings both apps started with (database, Redis, SMTP, queue prefix and `env`). */
  env: Record<string, string>;
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
    // Both apps build links from the same public address, as deployed (the console's test default).
    PUBLIC_URL: 'http://console.test',
    ...env,
  };
  const sut = await startConsole(full);
  const worker = await NestFactory.createApplicationContext(
    WorkerModule.forRoot(
      loadConfig({ ...full, MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent', DATA_DIR: sut.dataDir }),
    ),
    { logger: false },
  );
  return {
    sut,
    env: full,
    smtp,
    worker,
    mailbox: {
      waitFor: (to, subject) => smtp.waitFor(to, subject),
      count: async (to, subject) => smtp.count(to, subject),
    },
    close: async () => {
      await worker.close();
      await sut.close();
      await smtp.stop();
      await db.drop();
      await dropQueuePrefix(prefix);
    },
  };
}

/** What every flow may use, whichever stack runs it. */
export interface StackContext {
  app: INestApplication;
  clock: TestClock;
  mailbox: Mailbox;
  /** The console's PUBLIC_URL, which every emailed link starts with. */
  publicUrl: string;
  /** Lets work done after a response (and in-process delivery) finish; real workers need no help. */
  settle(): Promise<void>;
}

const contextOf = (sut: RunningConsole, mailbox: Mailbox): StackContext => ({
  app: sut.app,
  clock: sut.clock,
  mailbox,
  publicUrl: sut.config.publicUrl,
  settle: sut.settle,
});

/** The embedded default: SQLite, jobs in-process, mail as .eml files. */
export async function embeddedStack(
  env: Record<string, string> = {},
): Promise<Started<StackContext> & { sut: RunningConsole }> {
  const sut = await startConsole(env);
  return { sut, ctx: contextOf(sut, fileMailbox(sut)), close: () => sut.close() };
}

/** The production path: MariaDB, Redis, a worker and SMTP (see startProductionStack). */
export async function productionStack(
  env: Record<string, string> = {},
): Promise<Started<StackContext> & { stack: ProductionStack }> {
  const stack = await startProductionStack(env);
  return { stack, ctx: contextOf(stack.sut, stack.mailbox), close: () => stack.close() };
}

/** MariaDB without Redis: jobs in-process, rate-limit counters in the database, mail as files. */
export async function mariadbStack(env: Record<string, string> = {}): Promise<Started<StackContext>> {
  const db = await freshDatabase();
  const sut = await startConsole({ DATABASE_URL: db.url, MIGRATE_ON_START: 'true', ...env });
  return {
    ctx: contextOf(sut, fileMailbox(sut)),
    close: async () => {
      await sut.close();
      await db.drop();
    },
  };
}

/** A stack whose console sends text messages to a test SMS gateway, which the flows read. */
export async function withSmsGateway<C>(
  start: (env: Record<string, string>) => Promise<Started<C>>,
): Promise<Started<C & { sms: TestSmsGateway }>> {
  const sms = await new TestSmsGateway().start();
  try {
    const started = await start({ SMS_GATEWAY_URL: sms.url });
    return {
      ctx: { ...started.ctx, sms },
      close: async () => {
        await started.close();
        await sms.stop();
      },
    };
  } catch (err) {
    await sms.stop();
    throw err;
  }
}

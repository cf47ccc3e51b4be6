import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@lmp/config';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import {
  AccountContext,
  changeEmail,
  changePassword,
  companyUsers,
  editProfile,
  notMe,
  partnerPromotion,
  sessions,
  subscriptions,
} from '../support/account-flow';
import { RunningConsole, startConsole } from '../support/console-app';
import { TestSmtpServer } from '../support/smtp';
import { dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from '../support/services';

/** My Profile and company users on the production path: MariaDB, Redis, a worker and SMTP. */
describe('my account and company users (MariaDB + Redis + worker + SMTP)', () => {
  const prefix = `lmpa${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop: () => Promise<void> };
  let smtp: TestSmtpServer;
  let sut: RunningConsole;
  let worker: INestApplicationContext;
  let ctx: AccountContext;

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
    sut = await startConsole(env);
    worker = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(
        loadConfig({ ...env, MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent', DATA_DIR: sut.dataDir }),
      ),
      { logger: false },
    );
    ctx = {
      app: sut.app,
      settle: sut.settle,
      mailbox: {
        waitFor: (to, subject) => smtp.waitFor(to, subject),
        count: async (to, subject) => smtp.count(to, subject),
      },
    };
  });

  afterAll(async () => {
    await worker?.close();
    await sut?.close();
    await smtp?.stop();
    await db?.drop();
    await dropQueuePrefix(prefix);
  });

  it('changes the password: current password, confirmation, rules; other sessions end', () => changePassword(ctx));
  it('edits the profile with field errors for a bad phone or country', () => editProfile(ctx));
  it('changes the email address only when the link to the new one is used', () => changeEmail(ctx));
  it("locks the account from the old address's 'this wasn't me' link", () => notMe(ctx));
  it('keeps email preferences with a consent trail; one-click unsubscribe works signed out', () => subscriptions(ctx));
  it('lists sessions and signs out one or all others', () => sessions(ctx));
  it('lets full-access users manage company users, never the last admin, never another company', () =>
    companyUsers(ctx));
  it('lets a partner admin promote a user when the admin left', () => partnerPromotion(ctx));
});

import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { loadConfig } from '@lmp/config';
import { OutboxMessage } from '@lmp/database';
import { ProvisioningService } from '@lmp/tenancy';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { RunningConsole, startConsole } from './console-app';
import { duplicates, SeededAccount, triggerResets, waitUntil } from './fault';
import { signIn } from './http';
import { freshDatabase } from './services';
import { TestSmtpServer } from './smtp';

export const RESET_SUBJECT = 'Reset your password';

/**
 * Several consoles and workers on one database and one Redis (whatever `redisEnv` names: one
 * server, a Cluster, Sentinels), mail to a test SMTP server. The consoles share the secrets,
 * as every deployment of several consoles must.
 */
export class ScaleOutStack {
  readonly consoles: RunningConsole[] = [];
  readonly workers: INestApplicationContext[] = [];
  readonly smtp = new TestSmtpServer();
  env: Record<string, string> = {};
  private db?: { url: string; drop: () => Promise<void> };

  async start(redisEnv: Record<string, string>, counts: { consoles: number; workers: number }): Promise<this> {
    await this.smtp.start();
    this.db = await freshDatabase();
    this.env = {
      DATABASE_URL: this.db.url,
      SMTP_URL: this.smtp.url,
      QUEUE_PREFIX: `s${randomBytes(3).toString('hex')}`,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      PUBLIC_URL: 'http://console.test',
      RELAY_DELAY_MS: '500',
      RELAY_INTERVAL_MS: '200',
      RETRY_BASE_MS: '50',
      MAIL_ATTEMPTS: '10',
      WORKER_CONCURRENCY: '5',
      OUTBOX_LEASE_MS: '5000',
      // A job lost with a master's last writes is queued again this soon after it was due.
      OUTBOX_OVERDUE_GRACE_MS: '3000',
      ...redisEnv,
    };
    for (let i = 0; i < counts.consoles; i++) {
      this.consoles.push(
        await startConsole({ ...this.env, MIGRATE_ON_START: i === 0 ? 'true' : 'false', PROCESS_NAME: `console-${i}` }),
      );
    }
    for (let i = 0; i < counts.workers; i++) {
      const config = loadConfig({
        ...this.env,
        LOG_LEVEL: 'silent',
        DATA_DIR: this.consoles[0].dataDir,
        PROCESS_NAME: `worker-${i}`,
      });
      this.workers.push(await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false }));
    }
    return this;
  }

  /** The demo partner with `n` accounts, and its admin signed in on every console. */
  async seed(n: number): Promise<{ admins: TestAgent[]; accounts: SeededAccount[] }> {
    const app = this.consoles[0].app;
    const seed = await app.get(ProvisioningService).seedDemo({ customers: Math.ceil(n / 4), accountsPerCustomer: 4 });
    const admins = await Promise.all(this.consoles.map((c) => signIn(c.app, seed.adminEmail, seed.adminPassword!)));
    const rows: Array<{ customer_id: string; id: string; email: string }> = await app
      .get(DataSource)
      .query(
        'SELECT u.customer_id, u.id, u.email FROM users u JOIN customers c ON c.id = u.customer_id WHERE c.partner_id = ? ORDER BY u.email LIMIT ?',
        [seed.partnerId, n],
      );
    return { admins, accounts: rows.map((r) => ({ customerId: r.customer_id, accountId: r.id, email: r.email })) };
  }

  /** Resets for `accounts`, shared out over the consoles in turn. */
  async triggerOverConsoles(admins: TestAgent[], accounts: SeededAccount[]): Promise<void> {
    await Promise.all(
      admins.map((admin, i) =>
        triggerResets(
          admin,
          accounts.filter((_, j) => j % admins.length === i),
        ),
      ),
    );
  }

  resetMails() {
    return this.smtp.received.filter((m) => m.subject === RESET_SUBJECT);
  }

  /**
   * Waits until every one of `accounts` got its reset and every outbox row is sent, then a little
   * longer (a late duplicate would show), and returns what arrived.
   */
  async delivered(accounts: SeededAccount[], timeoutMs = 60_000) {
    const wanted = new Set(accounts.map((a) => a.email.toLowerCase()));
    await waitUntil(
      `${wanted.size} reset mails`,
      () => new Set(this.resetMails().map((m) => m.to)).size >= wanted.size,
      timeoutMs,
    );
    const rows = this.consoles[0].app.get(DataSource).getRepository(OutboxMessage);
    await waitUntil(
      'every reset row sent',
      async () => (await rows.countBy({ status: 'sent', template: 'password-reset' })) === wanted.size,
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    return {
      recipients: new Set(this.resetMails().map((m) => m.to)),
      mails: this.resetMails().length,
      duplicates: duplicates(this.smtp.received, RESET_SUBJECT),
    };
  }

  /**
   * Workers first (they hold jobs), then the consoles, the database and the SMTP server. Each
   * close is given up after a while: a client still retrying an engine the test killed must not
   * hold the run (its process ends with the test file's).
   */
  async stop(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => closeWithin(w)));
    await Promise.all(this.consoles.splice(0).map((c) => closeWithin(c)));
    await this.smtp.stop().catch(() => undefined);
    await this.db?.drop().catch(() => undefined);
  }
}

/** Closes `app`, or stops waiting for it after `ms`. */
async function closeWithin(app: { close(): Promise<void> }, ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([app.close().catch(() => undefined), gaveUp]);
  clearTimeout(timer);
}

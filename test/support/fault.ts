import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { INestApplication } from '@nestjs/common';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { ProvisioningService } from '@lmp/tenancy';
import { signIn } from './http';
import { freePort } from './net';

export { freePort };

const root = join(__dirname, '..', '..');

export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A Redis server of the test's own, on a free port, that the test stops and starts. */
export class PrivateRedis {
  private child?: ChildProcess;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<this> {
    this.port ||= await freePort();
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const probe = new IORedis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    try {
      await waitUntil(
        'redis to answer',
        async () => {
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG';
          } catch {
            probe.disconnect();
            return false;
          }
        },
        10_000,
      );
    } finally {
      probe.disconnect();
    }
    return this;
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }
}

/** `node dist/apps/worker/main.js` as its own process, as an operator runs it. */
export class WorkerProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [join(root, 'dist', 'apps', 'worker', 'main.js')], {
      env: { ...process.env, LOG_LEVEL: 'info', LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (c: Buffer) => (this.output += c.toString()));
    this.child.stderr!.on('data', (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async ready(): Promise<this> {
    await waitUntil('the worker to start', () => this.output.includes('LMP worker running'), 30_000);
    return this;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

export interface SeededAccount {
  customerId: string;
  accountId: string;
  email: string;
}

/** The demo partner with `n` active accounts (bulk-seeded, no mail), and its admin signed in. */
export async function seededAccounts(
  app: INestApplication,
  n: number,
): Promise<{ admin: TestAgent; accounts: SeededAccount[] }> {
  const seed = await app.get(ProvisioningService).seedDemo({ customers: Math.ceil(n / 4), accountsPerCustomer: 4 });
  const admin = await signIn(app, seed.adminEmail, seed.adminPassword!);
  const rows: Array<{ customer_id: string; id: string; email: string }> = await app
    .get(DataSource)
    .query(
      'SELECT u.customer_id, u.id, u.email FROM users u JOIN customers c ON c.id = u.customer_id WHERE c.partner_id = ? ORDER BY u.email LIMIT ?',
      [seed.partnerId, n],
    );
  return { admin, accounts: rows.map((r) => ({ customerId: r.customer_id, accountId: r.id, email: r.email })) };
}

/** Triggers a reset for every account through the API, 20 at a time; every answer must be 202. */
export async function triggerResets(admin: TestAgent, accounts: SeededAccount[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < accounts.length; i += 20) {
    const batch = await Promise.all(
      accounts
        .slice(i, i + 20)
        .map((a) => admin.post(`/api/v1/partner/customers/${a.customerId}/accounts/${a.accountId}/password-reset`)),
    );
    for (const res of batch) {
      if (res.status !== 202) throw new Error(`reset answered ${res.status}: ${JSON.stringify(res.body)}`);
      ids.push(res.body.requestId as string);
    }
  }
  return ids;
}

/** Recipients that got a subject more than once: the duplicates a fault test reports. */
export function duplicates(received: Array<{ to: string; subject: string }>, subject: string): number {
  const seen = new Map<string, number>();
  for (const m of received) if (m.subject === subject) seen.set(m.to, (seen.get(m.to) ?? 0) + 1);
  return [...seen.values()].reduce((sum, n) => sum + (n - 1), 0);
}

export function report(test: string, figures: Record<string, number | string>): void {
  process.stdout.write(
    `\n[fault] ${test}: ${Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}\n`,
  );
}

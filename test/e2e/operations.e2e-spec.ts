import { INestApplication } from '@nestjs/common';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TestAgent from 'supertest/lib/agent';
import { DataSource, In } from 'typeorm';
import {
  ActionToken,
  AuditEvent,
  MfaMethod,
  newId,
  OutboxMessage,
  OutboxStatus,
  Session,
  sha256Hex,
  User,
} from '@lmp/database';
import {
  MailTemplate,
  MailTemplateProps,
  MailTransport,
  MaintenanceService,
  OutboxProcessor,
} from '@lmp/notifications';
import { ProvisioningService } from '@lmp/tenancy';
import { RunningConsole, startConsole } from '../support/console-app';
import { ADMIN_PASSWORD, partnerWithAdmin } from '../support/fixtures';
import { api, signIn } from '../support/http';
import { mailsTo } from '../support/mail';
import { sampleValue } from '../support/prometheus';

const root = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBuilt } = require(join(root, 'scripts', 'ensure-built.js')) as { ensureBuilt: (app: string) => string };

const DAY_MS = 86_400_000;
const STATUSES: OutboxStatus[] = ['pending', 'queued', 'sending', 'sent', 'failed', 'dead'];
const OPERATOR = { email: 'ops@lmp.example.com', password: 'operator passphrase' };

const invitationProps = (firstName: string): MailTemplateProps[typeof MailTemplate.Invitation] => ({
  firstName,
  companyName: 'Litware Inc',
  partnerName: 'Northwind Resale',
  link: `http://console.test/reset-password?token=${'x'.repeat(43)}`,
  expiresInHours: 72,
});

/** An outbox row as the writer would have stored it, for states the product reaches only through failures. */
function outboxRow(
  now: Date,
  row: Pick<OutboxMessage, 'status' | 'recipient'> & Partial<OutboxMessage>,
): OutboxMessage {
  return {
    id: newId(),
    kind: 'mail',
    template: MailTemplate.Invitation,
    payload: { ...invitationProps('Robin') },
    attempts: 0,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    sentAt: null,
    dueAt: now,
    ...row,
  };
}

const outbox = (app: INestApplication) => app.get(DataSource).getRepository(OutboxMessage);

/** Stores rows one by one, from copies: TypeORM merges what it reads back into the objects it is given. */
async function insertRows(app: INestApplication, ...rows: OutboxMessage[]): Promise<void> {
  for (const row of rows) await outbox(app).insert({ ...row });
}

async function sentCount(app: INestApplication): Promise<number> {
  return outbox(app).countBy({ status: 'sent' });
}

/** A customer with one invited account; the invitation goes through the outbox. */
async function customerWithAccount(admin: TestAgent, email: string) {
  const customer = await admin
    .post('/api/v1/partner/customers')
    .send({ companyName: 'Litware Inc', country: 'GB' })
    .expect(201);
  const account = await admin
    .post(`/api/v1/partner/customers/${customer.body.id}/accounts`)
    .send({ email, firstName: 'Robin', lastName: 'Ray', role: 'read_only' })
    .expect(201);
  return { customerId: customer.body.id as string, accountId: account.body.id as string };
}

describe('operations (embedded mode)', () => {
  describe('/ops/queues', () => {
    let sut: RunningConsole;
    let operator: TestAgent;

    beforeAll(async () => {
      sut = await startConsole();
      await sut.app.get(ProvisioningService).createPlatformAdmin(OPERATOR);
      operator = await signIn(sut.app, OPERATOR.email, OPERATOR.password);
    });
    afterAll(() => sut.close());

    it('sends an anonymous visitor to sign in, coming back afterwards', async () => {
      const res = await api(sut.app).get('/ops/queues').expect(303);

      expect(res.headers.location).toBe('/login?next=%2Fops%2Fqueues');
    });

    it('refuses partner staff with a 403 page', async () => {
      const { agent } = await partnerWithAdmin(sut.app);

      const res = await agent.get('/ops/queues').expect(403);

      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('The queue dashboard is for operators.');
      expect(res.text).not.toContain('Outbox rows by status');
    });

    it('shows an operator the outbox rows by status', async () => {
      // An invited partner admin: one message, delivered in-process.
      await sut.app
        .get(ProvisioningService)
        .createPartner({ name: 'Invited Partner', code: 'invited', adminEmail: 'admin@invited.example.com' });
      await sut.settle();
      expect(await sentCount(sut.app)).toBe(1);

      const res = await operator.get('/ops/queues').expect(200);

      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<h1>Queues</h1>');
      expect(res.text).toContain(
        `<thead><tr>${STATUSES.map((s) => `<th scope="col">${s}</th>`).join('')}</tr></thead>`,
      );
      expect(res.text).toContain(
        '<tbody><tr><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td>0</td></tr></tbody>',
      );
      expect(res.text).toMatch(/<h2>Dead messages<\/h2>\s*<p>None\.<\/p>/);
    });

    it('lists a dead message with its id and last error', async () => {
      const dead = outboxRow(sut.clock.now(), {
        status: 'dead',
        recipient: 'gone@litware.example.com',
        attempts: 3,
        lastError: 'SMTP 550: no such user',
      });
      await insertRows(sut.app, dead);

      const res = await operator.get('/ops/queues').expect(200);

      expect(res.text).toContain(
        '<tbody><tr><td>0</td><td>0</td><td>0</td><td>1</td><td>0</td><td>1</td></tr></tbody>',
      );
      expect(res.text).toContain(
        `<tr><td><code>${dead.id}</code></td><td>mail/invitation</td><td>gone@litware.example.com</td><td>3</td><td>SMTP 550: no such user</td></tr>`,
      );
      expect(res.text).toContain('queue:retry --dead');
    });
  });

  describe('/metrics', () => {
    let sut: RunningConsole;

    beforeAll(async () => {
      sut = await startConsole({ PROCESS_NAME: 'console-7' });
    });
    afterAll(() => sut.close());

    it('exports request durations per route, outbox rows per status and delivery counters', async () => {
      const { agent: admin } = await partnerWithAdmin(sut.app);
      const { customerId, accountId } = await customerWithAccount(admin, 'robin@litware.example.com');
      await admin.post(`/api/v1/partner/customers/${customerId}/accounts/${accountId}/password-reset`).expect(202);
      await admin.get('/api/v1/partner/customers').expect(200);
      await sut.settle();
      expect(await sentCount(sut.app)).toBe(2);

      const res = await api(sut.app).get('/metrics').expect(200);

      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.text;
      expect(text).toContain('# TYPE lmp_http_request_duration_seconds histogram');
      const route = '/api/v1/partner/customers';
      expect(
        sampleValue(text, 'lmp_http_request_duration_seconds_count', { method: 'GET', route, status: '200' }),
      ).toBe(1);
      expect(
        sampleValue(text, 'lmp_http_request_duration_seconds_count', { method: 'POST', route, status: '201' }),
      ).toBe(1);
      // Raw paths with ids never become labels.
      expect(text).not.toContain(customerId);
      for (const status of STATUSES) {
        expect({ status, n: sampleValue(text, 'lmp_outbox_messages', { status }) }).toEqual({
          status,
          n: status === 'sent' ? 2 : 0,
        });
      }
      expect(sampleValue(text, 'lmp_jobs_completed_total', { queue: 'mail' })).toBe(2);
      expect(sampleValue(text, 'lmp_send_duration_seconds_count', { queue: 'mail' })).toBe(2);
      expect(sampleValue(text, 'lmp_send_duration_seconds_bucket', { queue: 'mail', le: '+Inf' })).toBe(2);
      // Several consoles behind a load balancer: each series says which process it counts.
      expect(sampleValue(text, 'lmp_jobs_completed_total', { queue: 'mail', process: 'console-7' })).toBe(2);
      expect(sampleValue(text, 'lmp_process_cpu_seconds_total', { process: 'console-7' })).toBeGreaterThan(0);
    });

    it('asks for the scrape token when METRICS_TOKEN is set', async () => {
      const guarded = await startConsole({ METRICS_TOKEN: 'scrape-secret-1' });
      try {
        await api(guarded.app).get('/metrics').expect(401);
        await api(guarded.app).get('/metrics').set('Authorization', 'Bearer scrape-secret-2').expect(401);
        await api(guarded.app).get('/metrics').set('Authorization', 'Bearer scrape-secret-1x').expect(401);
        await api(guarded.app).get('/metrics').set('Authorization', 'scrape-secret-1').expect(401);

        const res = await api(guarded.app).get('/metrics').set('Authorization', 'Bearer scrape-secret-1').expect(200);

        expect(sampleValue(res.text, 'lmp_outbox_messages', { status: 'sent' })).toBe(0);
      } finally {
        await guarded.close();
      }
    });
  });

  describe('outbox relay after a restart', () => {
    let dataDir: string;

    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'lmp-relay-'));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('delivers the rows an earlier process left queued, failed or pending', async () => {
      // The first process dies with work in flight: in-process jobs are gone with it.
      const first = await startConsole({ RELAY_DELAY_MS: '3600000' }, { dataDir });
      const now = first.clock.now();
      const orphan = outboxRow(now, { status: 'queued', recipient: 'orphan@litware.example.com' });
      const retrying = outboxRow(now, {
        status: 'failed',
        recipient: 'retry@litware.example.com',
        attempts: 1,
        lastError: 'ECONNRESET: socket hang up',
      });
      const pending = outboxRow(now, {
        status: 'pending',
        recipient: 'pending@litware.example.com',
        template: MailTemplate.PasswordReset,
        payload: {
          firstName: 'Pat',
          link: `http://console.test/reset-password?token=${'y'.repeat(43)}`,
          expiresInMinutes: 60,
          partnerName: 'Northwind Resale',
        },
      });
      try {
        await insertRows(first.app, orphan, retrying, pending);
        await new Promise((r) => setTimeout(r, 300));
        const before = await outbox(first.app).find({ order: { recipient: 'ASC' } });
        expect(before.map((r) => [r.recipient, r.status])).toEqual([
          ['orphan@litware.example.com', 'queued'],
          ['pending@litware.example.com', 'pending'],
          ['retry@litware.example.com', 'failed'],
        ]);
      } finally {
        await first.close();
      }

      const second = await startConsole({ RELAY_INTERVAL_MS: '100', RELAY_DELAY_MS: '0' }, { dataDir });
      try {
        const ids = [orphan.id, retrying.id, pending.id];
        const deadline = Date.now() + 10_000;
        let rows = await outbox(second.app).findBy({ id: In(ids) });
        while (rows.some((r) => r.status !== 'sent') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          rows = await outbox(second.app).findBy({ id: In(ids) });
        }
        expect(rows.map((r) => [r.recipient, r.status]).sort()).toEqual([
          ['orphan@litware.example.com', 'sent'],
          ['pending@litware.example.com', 'sent'],
          ['retry@litware.example.com', 'sent'],
        ]);
        for (const row of rows) {
          expect(row).toMatchObject({ payload: null, lastError: null, sentAt: expect.any(Date) });
          expect(existsSync(join(dataDir, 'outbox', `${row.id}.eml`))).toBe(true);
        }
        const [invitation] = await mailsTo(dataDir, 'orphan@litware.example.com', 'You have been invited to LMP');
        expect(invitation.text).toContain('Litware Inc');
        expect(invitation.messageId).toBe(`<${orphan.id}@console.test>`);
        expect(await mailsTo(dataDir, 'pending@litware.example.com', 'Reset your password')).toHaveLength(1);
        expect(await mailsTo(dataDir, 'retry@litware.example.com')).toHaveLength(1);
      } finally {
        await second.close();
      }
    });
  });

  describe('the row decides what is due (embedded)', () => {
    let sut: RunningConsole;

    beforeAll(async () => {
      sut = await startConsole({ RELAY_INTERVAL_MS: '100', OUTBOX_OVERDUE_GRACE_MS: '200' });
    });
    afterAll(() => sut.close());

    it('queues again, while running, a retry overdue by more than the grace whose job is gone', async () => {
      const now = sut.clock.now();
      const lost = outboxRow(now, {
        status: 'failed',
        recipient: 'lost@litware.example.com',
        attempts: 1,
        lastError: 'SMTP 451: try again later',
        dueAt: new Date(now.getTime() - 1000),
      });
      const later = outboxRow(now, {
        status: 'failed',
        recipient: 'later@litware.example.com',
        attempts: 1,
        lastError: 'SMTP 451: try again later',
        dueAt: new Date(now.getTime() + 3600_000),
      });
      await insertRows(sut.app, lost, later);

      const deadline = Date.now() + 10_000;
      while ((await outbox(sut.app).findOneByOrFail({ id: lost.id })).status !== 'sent' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }

      expect(await outbox(sut.app).findOneByOrFail({ id: lost.id })).toMatchObject({ status: 'sent', attempts: 2 });
      expect(await mailsTo(sut.dataDir, 'lost@litware.example.com')).toHaveLength(1);
      // Not due yet: left for its own retry.
      expect(await outbox(sut.app).findOneByOrFail({ id: later.id })).toMatchObject({ status: 'failed', attempts: 1 });
    });

    it('50 runs of one message at once, on SQLite: one claims it, one mail', async () => {
      const now = sut.clock.now();
      const row = outboxRow(now, { status: 'queued', recipient: 'once@litware.example.com', dueAt: now });
      await insertRows(sut.app, row);
      const send = jest.spyOn(sut.app.get(MailTransport), 'send');
      try {
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, () => sut.app.get(OutboxProcessor).process(row.id)),
        );

        expect(results.filter((r) => r.status === 'fulfilled' && r.value === 'sent')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect((r.reason as Error).name).toBe('RowBusyError');
          else expect(['sent', 'already-sent']).toContain(r.value);
        }
        expect(send.mock.calls.filter(([m]) => m.outboxId === row.id)).toHaveLength(1);
        expect(await outbox(sut.app).findOneByOrFail({ id: row.id })).toMatchObject({ status: 'sent', attempts: 1 });
      } finally {
        send.mockRestore();
      }
    });
  });

  describe('pruning', () => {
    let sut: RunningConsole;

    beforeAll(async () => {
      sut = await startConsole({ RETENTION_DAYS: '7' });
    });
    afterAll(() => sut.close());

    it('deletes links expired and mail sent more than RETENTION_DAYS ago, keeping the rest and the audit trail', async () => {
      const ds = sut.app.get(DataSource);
      const tokens = ds.getRepository(ActionToken);
      const t0 = sut.clock.now();
      const { agent, adminEmail } = await partnerWithAdmin(sut.app);
      const old = await customerWithAccount(agent, 'old@litware.example.com');
      await sut.settle();
      const oldToken = await tokens.findOneByOrFail({ userId: old.accountId });
      const oldMail = await outbox(sut.app).findOneByOrFail({ recipient: 'old@litware.example.com' });
      expect(oldMail.status).toBe('sent');
      // Dead mail waits for an operator however old it is.
      const oldDead = outboxRow(t0, { status: 'dead', recipient: 'dead@litware.example.com', lastError: 'SMTP 550' });
      await insertRows(sut.app, oldDead);

      // Invitations are valid for days; move on until this one has been expired for longer than 7.
      sut.clock.advance(oldToken.expiresAt.getTime() - t0.getTime() + 8 * DAY_MS);
      const now = sut.clock.now();
      expect(oldToken.expiresAt.getTime()).toBeLessThan(now.getTime() - 7 * DAY_MS);
      const again = await signIn(sut.app, adminEmail, ADMIN_PASSWORD);
      const recent = await customerWithAccount(again, 'recent@litware.example.com');
      await sut.settle();
      const recentToken = await tokens.findOneByOrFail({ userId: recent.accountId });
      const recentMail = await outbox(sut.app).findOneByOrFail({ recipient: 'recent@litware.example.com' });
      expect(recentMail.status).toBe('sent');
      // Expired six days ago: within the retention period.
      const lateToken: ActionToken = {
        ...recentToken,
        id: newId(),
        tokenHash: sha256Hex(newId()),
        purpose: 'password_reset',
        outboxId: null,
        createdAt: new Date(now.getTime() - 7 * DAY_MS),
        expiresAt: new Date(now.getTime() - 6 * DAY_MS),
      };
      await tokens.insert({ ...lateToken });
      const auditBefore = await ds.getRepository(AuditEvent).count();
      expect(auditBefore).toBeGreaterThan(0);
      // Two-factor set-ups never confirmed: one begun two days ago, one an hour ago, and a confirmed method.
      const admin = await ds.getRepository(User).findOneByOrFail({ email: adminEmail });
      const setup = (createdAt: Date, confirmedAt: Date | null): MfaMethod => ({
        id: newId(),
        userId: admin.id,
        kind: 'email',
        target: `${newId()}@litware.example.com`,
        secret: null,
        isDefault: false,
        confirmedAt,
        createdAt,
        lastUsedStep: null,
        codeHash: null,
        codeExpiresAt: null,
        codeTries: 0,
        codeSentAt: null,
      });
      const abandoned = setup(new Date(now.getTime() - 2 * DAY_MS), null);
      const inProgress = setup(new Date(now.getTime() - 3600_000), null);
      const confirmed = setup(new Date(now.getTime() - 30 * DAY_MS), new Date(now.getTime() - 30 * DAY_MS));
      await ds.getRepository(MfaMethod).insert([{ ...abandoned }, { ...inProgress }, { ...confirmed }]);

      const result = await sut.app.get(MaintenanceService).prune();

      // The first session idled out days ago; the one signed in just now stays.
      expect(result).toEqual({ tokens: 1, outbox: 1, sessions: 1, mfaSetups: 1 });
      expect((await ds.getRepository(MfaMethod).findBy({ userId: admin.id })).map((m) => m.id).sort()).toEqual(
        [inProgress.id, confirmed.id].sort(),
      );
      expect((await tokens.find()).map((t) => t.id).sort()).toEqual([recentToken.id, lateToken.id].sort());
      expect(await tokens.findOneBy({ id: oldToken.id })).toBeNull();
      expect((await outbox(sut.app).find()).map((r) => r.id).sort()).toEqual([recentMail.id, oldDead.id].sort());
      expect(await ds.getRepository(AuditEvent).count()).toBe(auditBefore);
      expect(await ds.getRepository(Session).count()).toBe(1);
      const audit = await again.get(`/api/v1/partner/audit?customerId=${old.customerId}&pageSize=100`).expect(200);
      expect((audit.body.items as Array<{ action: string }>).map((e) => e.action)).toEqual(
        expect.arrayContaining(['customer.created', 'account.created', 'account.invitation.sent']),
      );
    });
  });

  describe('lmp queue:status and queue:retry (built command, embedded)', () => {
    let dataDir: string;
    let cli: string;

    beforeAll(() => {
      cli = ensureBuilt('cli');
      dataDir = mkdtempSync(join(tmpdir(), 'lmp-cli-ops-'));
    }, 120_000);
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    const lmp = (...args: string[]) =>
      spawnSync(process.execPath, [cli, ...args], {
        env: {
          ...process.env,
          DATA_DIR: dataDir,
          PUBLIC_URL: 'http://console.test',
          DATABASE_URL: '',
          REDIS_URL: '',
          SMTP_URL: '',
          SMS_GATEWAY_URL: '',
        },
        encoding: 'utf8',
        timeout: 30_000,
      });

    const rowOnDisk = (id: string) => {
      const db = new Database(join(dataDir, 'lmp.sqlite'), { readonly: true });
      try {
        return db.prepare('SELECT status, attempts, payload, last_error AS lastError FROM outbox WHERE id = ?').get(id);
      } finally {
        db.close();
      }
    };

    it('prints in-process delivery and the outbox rows by status, as a table and as JSON', async () => {
      const sut = await startConsole({}, { dataDir });
      try {
        await sut.app
          .get(ProvisioningService)
          .createPartner({ name: 'Northwind Resale', code: 'northwind', adminEmail: 'it@northwind.example.com' });
        await sut.settle();
      } finally {
        await sut.close();
      }

      const table = lmp('queue:status');

      expect(table.stderr).toBe('');
      expect(table.status).toBe(0);
      expect(table.stdout).toContain('queues: in-process');
      expect(table.stdout).toMatch(/^outbox\s+pending\s+queued\s+sending\s+sent\s+failed\s+dead\s*$/m);
      expect(table.stdout).toMatch(/^rows\s+0\s+0\s+0\s+1\s+0\s+0\s*$/m);
      expect(table.stdout).toMatch(/^overdue 0$/m);
      expect(table.stdout).not.toContain('dead messages');

      const json = lmp('queue:status', '--json');

      expect(json.status).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({
        queues: null,
        outbox: { pending: 0, queued: 0, sending: 0, sent: 1, failed: 0, dead: 0 },
        overdue: 0,
        dead: [],
      });
    });

    it('lists a dead message, and queue:retry --dead --id delivers it before exiting', async () => {
      const sut = await startConsole({}, { dataDir });
      const dead = outboxRow(sut.clock.now(), {
        status: 'dead',
        recipient: 'robin@litware.example.com',
        attempts: 3,
        lastError: 'SMTP 550: no such user',
      });
      try {
        await insertRows(sut.app, dead);
      } finally {
        await sut.close();
      }

      const table = lmp('queue:status');

      expect(table.status).toBe(0);
      expect(table.stdout).toMatch(/^rows\s+0\s+0\s+0\s+1\s+0\s+1\s*$/m);
      expect(table.stdout).toContain('dead messages (queue:retry --dead [--id ID] sends them again):');
      expect(table.stdout).toContain(
        `  ${dead.id}  mail/invitation to robin@litware.example.com, 3 attempt(s): SMTP 550: no such user`,
      );
      const json = JSON.parse(lmp('queue:status', '--json').stdout) as Record<string, unknown>;
      expect(json).toEqual({
        queues: null,
        outbox: { pending: 0, queued: 0, sending: 0, sent: 1, failed: 0, dead: 1 },
        overdue: 0,
        dead: [
          {
            id: dead.id,
            kind: 'mail',
            template: 'invitation',
            recipient: 'robin@litware.example.com',
            attempts: 3,
            lastError: 'SMTP 550: no such user',
            at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          },
        ],
      });

      const retry = lmp('queue:retry', '--dead', '--id', dead.id.toUpperCase());

      expect(retry.stderr).toBe('');
      expect(retry.status).toBe(0);
      expect(retry.stdout.trim()).toBe('queued 1 of 1 dead message(s) again');
      // Delivered in-process before the command exited.
      expect(rowOnDisk(dead.id)).toEqual({ status: 'sent', attempts: 1, payload: null, lastError: null });
      expect(existsSync(join(dataDir, 'outbox', `${dead.id}.eml`))).toBe(true);
      const [mail] = await mailsTo(dataDir, 'robin@litware.example.com', 'You have been invited to LMP');
      expect(mail.text).toContain('Litware Inc');
      expect(JSON.parse(lmp('queue:status', '--json').stdout)).toMatchObject({
        outbox: { pending: 0, queued: 0, sent: 2, failed: 0, dead: 0 },
        dead: [],
      });

      // Nothing dead with that id any more.
      const again = lmp('queue:retry', '--dead', '--id', dead.id);
      expect(again.status).toBe(2);
      expect(again.stderr.trim()).toBe(`lmp queue:retry: no dead message with id ${dead.id}`);
    });

    it('refuses a retry without --dead or with a malformed id: one line, exit 2', () => {
      const cases: Array<[string[], RegExp]> = [
        [['queue:retry'], /^lmp queue:retry: say what to retry: --dead/],
        [['queue:retry', '--dead', '--id', 'not-a-uuid'], /^lmp queue:retry: --id must be an outbox id$/],
        [['queue:retry', '--dead', '--id'], /^lmp queue:retry: /],
        [['queue:status', '--jsn'], /^lmp queue:status: Unknown option '--jsn'/],
      ];
      for (const [args, message] of cases) {
        const r = lmp(...args);
        expect({ args, status: r.status }).toEqual({ args, status: 2 });
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(message);
      }
    });

    it('counts retries overdue by more than the grace on its own line, and /metrics exports the figure', async () => {
      // No relay sweep after the start: the rows stay as written.
      const sut = await startConsole({ RELAY_INTERVAL_MS: '3600000', OUTBOX_OVERDUE_GRACE_MS: '60000' }, { dataDir });
      const now = sut.clock.now();
      const ago = (ms: number) => new Date(now.getTime() - ms);
      try {
        await insertRows(
          sut.app,
          // Its retry was due five minutes ago and never came: its job was lost.
          outboxRow(now, { status: 'failed', recipient: 'lost@litware.example.com', attempts: 1, dueAt: ago(300_000) }),
          // A worker died holding it two minutes ago.
          outboxRow(now, {
            status: 'sending',
            recipient: 'held@litware.example.com',
            attempts: 1,
            dueAt: ago(120_000),
          }),
          // Due within the grace: not overdue yet.
          outboxRow(now, { status: 'failed', recipient: 'soon@litware.example.com', attempts: 1, dueAt: ago(30_000) }),
          outboxRow(now, {
            status: 'queued',
            recipient: 'later@litware.example.com',
            dueAt: new Date(now.getTime() + 60_000),
          }),
        );
        const metrics = await api(sut.app).get('/metrics').expect(200);
        expect(sampleValue(metrics.text, 'lmp_outbox_overdue')).toBe(2);
      } finally {
        await sut.close();
      }

      const table = lmp('queue:status');
      expect(table.status).toBe(0);
      expect(table.stdout).toMatch(/^overdue 2 \(due but not sent: /m);
      expect(JSON.parse(lmp('queue:status', '--json').stdout)).toMatchObject({ overdue: 2 });
    });
  });
});

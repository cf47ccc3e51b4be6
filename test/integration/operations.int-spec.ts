import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes, randomUUID } from 'node:crypto';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { loadConfig } from '@lmp/config';
import { OutboxMessage, OutboxStatus, TransactionRunner } from '@lmp/database';
import {
  BullMqJobQueue,
  JobQueue,
  MailTemplate,
  MaintenanceJob,
  OutboxWriter,
  QueueAdminService,
  QueueName,
  SmsTemplate,
} from '@lmp/notifications';
import { ProvisioningService } from '@lmp/tenancy';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { RunningConsole, startConsole } from '../support/console-app';
import { partnerWithAdmin } from '../support/fixtures';
import { api, signIn } from '../support/http';
import { sampleValue } from '../support/prometheus';
import { dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from '../support/services';
import { TestSmsGateway } from '../support/sms-gateway';
import { freePort } from '../support/net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What an operator runs and looks at on the production path: the SMS gateway adapter behind the
 * outbox and a worker, bull-board at /ops/queues, and the worker's health and metrics endpoint.
 */
describe('operations (MariaDB + Redis + worker)', () => {
  const prefix = `lmpo${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop: () => Promise<void> };
  let gateway: TestSmsGateway;
  let console_: RunningConsole;
  let worker: INestApplicationContext;
  let healthPort: number;

  beforeAll(async () => {
    db = await freshDatabase();
    gateway = await new TestSmsGateway().start();
    healthPort = await freePort();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      MAIL_ATTEMPTS: '5',
      RETRY_BASE_MS: '50',
    };
    console_ = await startConsole({ ...env, MIGRATE_ON_START: 'true' });
    const workerConfig = loadConfig({
      ...env,
      LOG_LEVEL: 'silent',
      DATA_DIR: console_.dataDir,
      MIGRATE_ON_START: 'false',
      SMS_GATEWAY_URL: gateway.url,
      SMS_GATEWAY_TOKEN: 'gw-token',
      WORKER_HEALTH_PORT: String(healthPort),
      METRICS_TOKEN: 'worker-scrape-token',
    });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(workerConfig), { logger: false });
    worker.enableShutdownHooks();
  });

  afterAll(async () => {
    await worker?.close();
    await console_?.close();
    await gateway?.stop();
    await db?.drop();
    await dropQueuePrefix(prefix);
  });

  const app = (): INestApplication => console_.app;
  const outboxRow = (id: string) => app().get(DataSource).getRepository(OutboxMessage).findOneByOrFail({ id });

  /** Writes a verification code through the outbox, as a service would. */
  const sendCode = (to: string, code: string): Promise<string> =>
    app()
      .get(TransactionRunner)
      .run((tx) => app().get(OutboxWriter).sms(tx, SmsTemplate.VerificationCode, to, { code, minutes: 10 }));

  async function rowBecomes(id: string, statuses: OutboxStatus[], timeoutMs = 15_000): Promise<OutboxMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await outboxRow(id);
      if (statuses.includes(row.status)) return row;
      if (Date.now() > deadline) throw new Error(`outbox row ${id} stayed ${row.status}, expected ${statuses}`);
      await sleep(50);
    }
  }

  describe('text messages through the HTTP gateway', () => {
    it('posts the rendered code once, with the bearer token, and marks the row sent', async () => {
      const id = await sendCode('+447700900123', '123456');

      const row = await rowBecomes(id, ['sent', 'dead']);

      expect(row).toMatchObject({ status: 'sent', attempts: 1, kind: 'sms', payload: null, lastError: null });
      expect(gateway.requests).toHaveLength(1);
      const [req] = gateway.requests;
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/sms');
      expect(req.headers.authorization).toBe('Bearer gw-token');
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['idempotency-key']).toBe(id);
      expect(req.body).toEqual({
        to: '+447700900123',
        text: 'Your LMP code is 123456. It expires in 10 minutes. Never share it.',
      });
    });

    it('gives up at once when the gateway refuses the message (400): the row is dead', async () => {
      gateway.answers.push(400);

      const id = await sendCode('+447700900124', '654321');
      const row = await rowBecomes(id, ['sent', 'dead']);

      expect(row).toMatchObject({ status: 'dead', attempts: 1 });
      expect(row.lastError).toContain('400');
      expect(row.payload).toEqual({ code: '654321', minutes: 10 });
      // No retry follows (RETRY_BASE_MS is 50 ms).
      await sleep(500);
      expect(gateway.requestsFor(id)).toHaveLength(1);
      expect((await outboxRow(id)).status).toBe('dead');
    });

    it("sends a dead message again on an operator's retry", async () => {
      gateway.answers.push(400);
      const id = await sendCode('+447700900126', '333444');
      expect(await rowBecomes(id, ['sent', 'dead'])).toMatchObject({ status: 'dead', attempts: 1 });

      // The failed BullMQ job with the same id must not stop the message from being queued again.
      const result = await app().get(QueueAdminService).retryDead([id]);

      expect(result).toEqual({ retried: [id], queued: 1 });
      const row = await rowBecomes(id, ['sent', 'dead']);
      expect(row).toMatchObject({ status: 'sent', attempts: 1, payload: null, lastError: null });
      expect(gateway.requestsFor(id)).toHaveLength(2);
      expect(gateway.requestsFor(id)[1].body).toEqual({
        to: '+447700900126',
        text: 'Your LMP code is 333444. It expires in 10 minutes. Never share it.',
      });
    });

    it('retries while the gateway is unavailable (503) and sends on the third attempt', async () => {
      gateway.answers.push(503, 503);

      const id = await sendCode('+447700900125', '111222');
      const row = await rowBecomes(id, ['sent', 'dead']);

      expect(row).toMatchObject({ status: 'sent', attempts: 3, payload: null, lastError: null });
      const tries = gateway.requestsFor(id);
      expect(tries).toHaveLength(3);
      for (const t of tries) {
        expect(t.body).toEqual({
          to: '+447700900125',
          text: 'Your LMP code is 111222. It expires in 10 minutes. Never share it.',
        });
      }
    });
  });

  describe('/ops/queues on Redis', () => {
    let operator: TestAgent;
    let partnerAdmin: TestAgent;

    beforeAll(async () => {
      const ops = { email: 'ops@lmp.example.com', password: 'operator passphrase' };
      await app().get(ProvisioningService).createPlatformAdmin(ops);
      operator = await signIn(app(), ops.email, ops.password);
      partnerAdmin = (await partnerWithAdmin(app(), 'opsint')).agent;
    });

    it('shows an operator the bull-board dashboard', async () => {
      const res = await operator.get('/ops/queues').expect(200);

      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('<title>LMP queues</title>');
      expect(res.text).toContain('<div id="root">');
    });

    it('lists the mail, sms and webhook queues in the dashboard API', async () => {
      const res = await operator.get('/ops/queues/api/queues').expect(200);

      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const queues = res.body.queues as Array<{ name: string }>;
      expect(queues.map((q) => q.name).sort()).toEqual(['mail', 'sms', 'webhook']);
    });

    it('refuses partner staff on the page and on the API', async () => {
      const page = await partnerAdmin.get('/ops/queues').expect(403);
      expect(page.text).toContain('The queue dashboard is for operators.');
      const json = await partnerAdmin.get('/ops/queues/api/queues').expect(403);
      expect(json.text).not.toContain('"queues"');
    });

    it("refuses a form post or another site's request to the dashboard API, queueing nothing", async () => {
      const queued = async () =>
        (await (app().get(JobQueue) as BullMqJobQueue).queues.sms.getJobs()).filter((j) => j.name === 'forged');

      const form = await operator.post('/ops/queues/api/queues/sms/add').type('form').send({ name: 'forged' });
      expect(form.status).toBe(415);
      expect(form.headers['content-type']).toMatch(/^application\/problem\+json/);
      const crossSite = await operator
        .post('/ops/queues/api/queues/sms/add')
        .set('Origin', 'https://evil.example')
        .send({ name: 'forged', data: {} });
      expect(crossSite.status).toBe(403);
      expect(await queued()).toEqual([]);

      // The dashboard itself sends JSON from the console's own origin.
      await operator.put('/ops/queues/api/queues/sms/resume').set('Origin', 'http://console.test').expect(200);
    });

    it('sends anonymous visitors to sign in', async () => {
      const page = await api(app()).get('/ops/queues').expect(303);
      expect(page.headers.location).toBe('/login?next=%2Fops%2Fqueues');
      const json = await api(app()).get('/ops/queues/api/queues').expect(303);
      expect(json.headers.location).toBe('/login?next=%2Fops%2Fqueues%2Fapi%2Fqueues');
    });
  });

  describe('console /metrics on Redis', () => {
    it('reports BullMQ jobs per queue and state next to the outbox rows', async () => {
      const res = await api(app()).get('/metrics').expect(200);

      for (const queue of ['mail', 'sms']) {
        for (const state of ['waiting', 'active', 'delayed', 'failed']) {
          expect({ queue, state, n: sampleValue(res.text, 'lmp_queue_jobs', { queue, state }) }).toEqual({
            queue,
            state,
            n: expect.any(Number),
          });
        }
      }
      const dead = await app().get(DataSource).getRepository(OutboxMessage).countBy({ status: 'dead' });
      expect(sampleValue(res.text, 'lmp_outbox_messages', { status: 'dead' })).toBe(dead);
    });
  });

  describe('maintenance jobs on Redis', () => {
    it('runs a prune queued through the same enqueue as messages: a message sent long ago is deleted', async () => {
      const outbox = app().get(DataSource).getRepository(OutboxMessage);
      const longAgo = new Date(Date.now() - 400 * 86_400_000);
      const old = await outbox.save({
        id: randomUUID(),
        kind: 'mail',
        template: MailTemplate.PasswordReset,
        recipient: 'gone@customer.example',
        payload: null,
        status: 'sent',
        attempts: 1,
        lastError: null,
        createdAt: longAgo,
        updatedAt: longAgo,
        sentAt: longAgo,
        dueAt: null,
      });

      await app().get(JobQueue).enqueue({ queue: QueueName.Maintenance, name: MaintenanceJob.Prune, data: {} });

      const deadline = Date.now() + 15_000;
      while ((await outbox.countBy({ id: old.id })) > 0) {
        if (Date.now() > deadline) throw new Error('the prune job did not run');
        await sleep(50);
      }
      const done = await (app().get(JobQueue) as BullMqJobQueue).maintenance.getJobs(['completed']);
      expect(done.some((j) => j.name === MaintenanceJob.Prune && (j.returnvalue?.outbox ?? 0) >= 1)).toBe(true);
    });
  });

  describe('worker health endpoint', () => {
    const base = () => `http://127.0.0.1:${healthPort}`;

    it('answers live with the Redis connection state', async () => {
      // The worker may still be connecting right after start; it reports that, then ready.
      const deadline = Date.now() + 5000;
      let res = await fetch(`${base()}/health/live`);
      let body = (await res.json()) as Record<string, unknown>;
      while (body.redis !== 'ready' && Date.now() < deadline) {
        await sleep(50);
        res = await fetch(`${base()}/health/live`);
        body = (await res.json()) as Record<string, unknown>;
      }

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(body).toEqual({ status: 'ok', redis: 'ready' });
      expect((await fetch(`${base()}/nothing-here`)).status).toBe(404);
    });

    it("exports the worker's delivery counters as Prometheus text, to the bearer of METRICS_TOKEN", async () => {
      expect((await fetch(`${base()}/metrics`)).status).toBe(401);
      const wrong = await fetch(`${base()}/metrics`, { headers: { authorization: 'Bearer worker-scrape-tokex' } });
      expect(wrong.status).toBe(401);
      const res = await fetch(`${base()}/metrics`, { headers: { authorization: 'Bearer worker-scrape-token' } });

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain('# TYPE lmp_jobs_completed_total counter');
      const sentSms = await app().get(DataSource).getRepository(OutboxMessage).countBy({ kind: 'sms', status: 'sent' });
      expect(sampleValue(text, 'lmp_jobs_completed_total', { queue: 'sms' }) ?? 0).toBe(sentSms);
      expect(text).toContain('lmp_send_duration_seconds');
    });
  });
});

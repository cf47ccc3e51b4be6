import { DataSource, In } from 'typeorm';
import { newId, OutboxMessage } from '@lmp/database';
import { OutboxRepository, SentMark } from '@lmp/notifications';
import { startConsole } from '../support/console-app';
import { CORE_FLOWS, runCoreFlow } from '../support/core-flow';
import { runFlows } from '../support/flows';
import { productionStack } from '../support/stacks';

/**
 * The core flow on the production path: MariaDB, BullMQ on Redis, a worker in its own Nest
 * application context (no HTTP), and a real SMTP server that receives the mail.
 */
describe('partner-triggered password reset (MariaDB + Redis + worker + SMTP)', () => {
  const running = runFlows(CORE_FLOWS, () => productionStack({ WORKER_CONCURRENCY: '4' }));

  it('delivers invitation and reset through the queue and the worker, each once', async () => {
    const { ctx, stack } = running();
    await runCoreFlow(ctx, 'mariadb');
    // This run's mail only: the shared flows above wrote theirs to other addresses.
    const ours = (address: string) => address.includes('mariadb');
    const rows = (await ctx.app.get(DataSource).getRepository(OutboxMessage).find()).filter((r) => ours(r.recipient));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'sent', attempts: 1, payload: null });
    }
    // The Message-ID is the outbox id, so a resend after a crash can be recognised downstream.
    const received = stack.smtp.received.filter((m) => ours(m.to));
    expect(received.map((m) => m.messageId.replace(/^<|@.*$/g, '')).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('marks sent messages in batches and hands each moved row to the sent hooks once, in the same transaction', async () => {
    const { ctx } = running();
    const rows = ctx.app.get(DataSource).getRepository(OutboxMessage);
    const outbox = ctx.app.get(OutboxRepository);
    const now = new Date();
    const ids = [newId(), newId(), newId()];
    await rows.insert(
      ids.map((id) => ({
        id,
        kind: 'mail' as const,
        template: 'password-reset',
        recipient: `hook-${id}@mariadb.example.com`,
        payload: { to: 'x' },
        status: 'sending' as const,
        attempts: 1,
        lastError: null,
        createdAt: now,
        updatedAt: now,
        sentAt: null,
        dueAt: new Date(now.getTime() + 60_000),
      })),
    );
    const seen: SentMark[] = [];
    const statusInHook: string[] = [];
    outbox.onSent(async (tx, sent) => {
      seen.push(...sent.filter((m) => ids.includes(m.id)));
      for (const m of sent.filter((x) => ids.includes(x.id))) {
        statusInHook.push((await tx.em.getRepository(OutboxMessage).findOneByOrFail({ id: m.id })).status);
      }
    });
    // Every row marked twice at once (a stalled job's second run): each is sent, and reported once.
    await Promise.all([...ids, ...ids].map((id) => outbox.markSent(id, 1, new Date())));
    expect(seen.map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(statusInHook).toEqual(['sent', 'sent', 'sent']);
    for (const row of await rows.findBy({ id: In(ids) })) {
      expect(row).toMatchObject({ status: 'sent', attempts: 1, payload: null, dueAt: null });
    }
  });

  it('keeps the message pending when Redis is unreachable at commit time', async () => {
    // A console whose Redis URL points at a closed port: the reset is accepted and the row waits.
    const offline = await startConsole({
      ...running().stack.env,
      REDIS_URL: 'redis://127.0.0.1:1',
      MIGRATE_ON_START: 'false',
    });
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

import { DataSource } from 'typeorm';
import { OutboxMessage } from '@lmp/database';
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

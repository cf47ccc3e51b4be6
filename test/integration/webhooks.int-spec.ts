import { DataSource } from 'typeorm';
import { TransactionRunner, Webhook } from '@lmp/database';
import { WebhookStore } from '@lmp/notifications';
import { createToken, withToken } from '../support/api-tokens';
import { partnerWithAdmin } from '../support/fixtures';
import { ProductionStack, startProductionStack } from '../support/stacks';
import { ReceivedEvent, verifyEvent, WebhookReceiver } from '../support/webhook-receiver';

async function until<T>(what: string, check: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The machine interface on the production path: MariaDB, BullMQ on Redis and a worker in its own
 * application context. A partner's program, holding only an API token, makes the changes; the
 * events they cause reach the partner's receiver signed, and are retried after a 500.
 */
describe('webhooks (MariaDB + Redis + worker)', () => {
  let stack: ProductionStack;
  let receiver: WebhookReceiver;
  let url: string;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    url = await receiver.start();
    stack = await startProductionStack({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_SCHEDULE: '300ms' });
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.stop();
  });

  it('a token with customers:write accounts:reset adds a customer, an account and a reset; the signed events arrive, the first retried after a 500; revoked, the token is refused', async () => {
    const { agent } = await partnerWithAdmin(stack.sut.app, 'inthooks');
    const hooks = withToken(stack.sut.app, (await createToken(agent, ['webhooks:manage'], 'hooks')).token);
    const hook = await hooks('post', '/api/v1/partner/webhooks')
      .send({ url, events: ['account.created', 'password_reset.sent'] })
      .expect(201);
    receiver.answers = [500];

    const made = await createToken(agent, ['customers:write', 'accounts:reset'], 'crm sync');
    const crm = withToken(stack.sut.app, made.token);
    const c = await crm('post', '/api/v1/partner/customers').send({ companyName: 'Int Co', country: 'NL' }).expect(201);
    const a = await crm('post', `/api/v1/partner/customers/${c.body.id}/accounts`)
      .send({ email: 'ops@int-co.example.com', firstName: 'Ida', lastName: 'N', role: 'full_access' })
      .expect(201);
    const r = await crm('post', `/api/v1/partner/customers/${c.body.id}/accounts/${a.body.id}/password-reset`).expect(
      202,
    );

    const created = await until('account.created delivered after its retry', () => {
      const got = receiver.ofType('account.created');
      return got.length >= 2 ? got : undefined;
    });
    const sent = await until('password_reset.sent', () => receiver.ofType('password_reset.sent')[0]);

    expect(created.map((e: ReceivedEvent) => e.answered)).toEqual([500, 200]);
    expect(created[1].event.id).toBe(created[0].event.id);
    for (const e of [...created, sent]) expect(verifyEvent(hook.body.secret, e)).toEqual(e.event);
    expect(created[0].event.data).toMatchObject({ accountId: a.body.id, customerId: c.body.id });
    expect(sent.event.data).toMatchObject({ requestId: r.body.requestId, accountId: a.body.id });

    const list = await agent.get(`/api/v1/partner/webhooks/${hook.body.id}/deliveries`).expect(200);
    const attempts = list.body.items
      .filter((d: { eventType: string }) => d.eventType === 'account.created')
      .map((d: { attempt: number; statusCode: number; state: string }) => [d.attempt, d.statusCode, d.state]);
    expect(attempts).toEqual([
      [2, 200, 'delivered'],
      [1, 500, 'retrying'],
    ]);

    const audit = await agent.get('/api/v1/partner/audit').expect(200);
    const byToken = audit.body.items.filter((e: { actorTokenId: string | null }) => e.actorTokenId === made.id);
    expect(byToken.length).toBeGreaterThanOrEqual(3);
    expect(byToken[0]).toMatchObject({ actorTokenName: 'crm sync', actorUserId: null });

    await agent.delete(`/api/v1/partner/api-tokens/${made.id}`).expect(204);
    const refused = await crm('get', `/api/v1/partner/customers/${c.body.id}`);
    expect(refused.status).toBe(401);
    expect(refused.body.type).toBe('/problems/invalid-api-token');
  });

  it('raises password_reset.failed when the reset mail is refused for good (SMTP 550)', async () => {
    const { agent } = await partnerWithAdmin(stack.sut.app, 'failhooks');
    const hook = await agent
      .post('/api/v1/partner/webhooks')
      .send({ url, events: ['password_reset.sent', 'password_reset.failed'] })
      .expect(201);
    const email = 'gone@fail-co.example.com';
    stack.smtp.verdict = (rcpt) => (rcpt === email ? { code: 550, message: 'No such user here' } : null);
    try {
      const c = await agent
        .post('/api/v1/partner/customers')
        .send({ companyName: 'Fail Co', country: 'NL' })
        .expect(201);
      const a = await agent
        .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
        .send({ email, firstName: 'Gon', lastName: 'E', role: 'full_access' })
        .expect(201);
      const r = await agent
        .post(`/api/v1/partner/customers/${c.body.id}/accounts/${a.body.id}/password-reset`)
        .expect(202);

      const failed = await until('password_reset.failed', () =>
        receiver.ofType('password_reset.failed').find((e) => e.event.data.requestId === r.body.requestId),
      );
      expect(verifyEvent(hook.body.secret, failed)).toEqual(failed.event);
      expect(failed.event.data).toMatchObject({
        requestId: r.body.requestId,
        accountId: a.body.id,
        customerId: c.body.id,
      });
      expect(receiver.ofType('password_reset.sent').filter((e) => e.event.data.requestId === r.body.requestId)).toEqual(
        [],
      );
    } finally {
      stack.smtp.verdict = () => null;
    }
  });

  it('disables a webhook once when dead deliveries are counted in parallel (one statement decides)', async () => {
    const { agent } = await partnerWithAdmin(stack.sut.app, 'racehooks');
    const hook = await agent.post('/api/v1/partner/webhooks').send({ url, events: ['customer.created'] });
    const store = stack.sut.app.get(WebhookStore);
    const tx = stack.sut.app.get(TransactionRunner);
    const now = new Date();

    const decided = await Promise.all(
      Array.from({ length: 8 }, () => tx.run(({ em }) => store.countDead(em, hook.body.id, 3, 'test', now))),
    );

    expect(decided.filter(Boolean)).toHaveLength(1);
    const row = await stack.sut.app.get(DataSource).getRepository(Webhook).findOneByOrFail({ id: hook.body.id });
    expect(row).toMatchObject({ enabled: false, deadInARow: 8, disabledReason: 'test' });
  });
});

import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiToken, OutboxMessage } from '@lmp/database';
import { API_TOKEN_RATE } from '@lmp/tenancy';
import { createToken, withToken } from '../support/api-tokens';
import { RunningConsole, startConsole } from '../support/console-app';
import { partnerWithAdmin } from '../support/fixtures';
import { dropQueuePrefix, freshDatabase, TEST_REDIS_URL } from '../support/services';

/**
 * Partner API tokens on the production path: the lookup by hash, the last-use UPDATE and the
 * revocation on MariaDB, and the per-token rate limit counted atomically in Redis.
 */
describe('partner API tokens (MariaDB + Redis)', () => {
  const prefix = `lmpt${randomBytes(3).toString('hex')}`;
  let db: { url: string; drop: () => Promise<void> };
  let sut: RunningConsole;

  beforeAll(async () => {
    db = await freshDatabase();
    sut = await startConsole({
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      MIGRATE_ON_START: 'true',
    });
  });
  afterAll(async () => {
    await sut?.close();
    await db?.drop();
    await dropQueuePrefix(prefix);
  });

  it('creates a token, acts with it in its partner, records its last use, and revokes it', async () => {
    const { agent: admin, adminEmail } = await partnerWithAdmin(sut.app, 'int-tokens');
    const t = await createToken(admin, ['customers:write', 'audit:read'], 'MariaDB robot');
    const call = withToken(sut.app, t.token);
    const c = await call('post', '/api/v1/partner/customers')
      .send({ companyName: 'Robot GmbH', country: 'DE' })
      .expect(201);
    const audit = await admin.get(`/api/v1/partner/audit?customerId=${c.body.id}`).expect(200);
    expect(audit.body.items[0]).toMatchObject({ actorTokenName: 'MariaDB robot', actorUserId: null });

    const row = await sut.app.get(DataSource).getRepository(ApiToken).findOneByOrFail({ id: t.id });
    expect(row.lastUsedAt).not.toBeNull();
    expect(row.lastUsedIp).toMatch(/127\.0\.0\.1|::1/);
    const mails = await sut.app.get(DataSource).getRepository(OutboxMessage).findBy({ recipient: adminEmail });
    expect(mails.map((m) => m.template)).toContain('api-token-created');

    await admin.delete(`/api/v1/partner/api-tokens/${t.id}`).expect(204);
    await call('get', '/api/v1/partner/audit').expect(401);
  });

  it(`counts parallel calls exactly in Redis: ${API_TOKEN_RATE.limit} pass, the rest are 429`, async () => {
    const { agent: admin } = await partnerWithAdmin(sut.app, 'int-tokens-rl');
    const t = await createToken(admin, ['audit:read']);
    const call = withToken(sut.app, t.token);
    const extra = 10;
    const results = await Promise.all(
      Array.from({ length: API_TOKEN_RATE.limit + extra }, () => call('get', '/api/v1/partner/nothing-here')),
    );
    expect(results.filter((r) => r.status === 429)).toHaveLength(extra);
    expect(results.filter((r) => r.status === 404)).toHaveLength(API_TOKEN_RATE.limit);
    expect(Number(results.find((r) => r.status === 429)!.headers['retry-after'])).toBeGreaterThan(0);
  });
});

import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { ApiToken, AuditEvent } from '@lmp/database';
import { API_TOKEN_RATE } from '@lmp/tenancy';
import { createToken, staffUser, withToken } from '../support/api-tokens';
import { partnerWithAdmin } from '../support/fixtures';
import { RunningConsole, startConsole } from '../support/console-app';
import { mailsTo } from '../support/mail';
import { formToken } from '../support/partner-console';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Creating, listing, revoking and using partner API tokens, through HTTP in embedded mode. */
describe('partner API tokens', () => {
  let sut: RunningConsole;
  let admin: TestAgent;
  let adminEmail: string;
  let partnerId: string;
  const secondAdminEmail = 'second-admin@tokens.example.com';

  beforeAll(async () => {
    sut = await startConsole();
    ({ agent: admin, adminEmail, partnerId } = await partnerWithAdmin(sut.app, 'tokens'));
    await staffUser(sut.app, partnerId, secondAdminEmail, 'partner_admin');
  });
  afterAll(() => sut.close());

  const db = () => sut.app.get(DataSource);

  it('creates a token shown once (lmp_pat_ and 256 bits), stores only its hash, and lists it without a secret', async () => {
    const res = await admin
      .post('/api/v1/partner/api-tokens')
      .send({ name: 'Billing sync', scopes: ['customers:read', 'licenses:write'], expiresInDays: 30 })
      .expect(201);
    expect(res.body).toMatchObject({ name: 'Billing sync', scopes: ['customers:read', 'licenses:write'] });
    expect(res.body.token).toMatch(/^lmp_pat_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(res.body.token.slice(8), 'base64url')).toHaveLength(32);
    const expires = new Date(res.body.expiresAt).getTime() - Date.now();
    expect(Math.round(expires / 86_400_000)).toBe(30);

    const row = await db().getRepository(ApiToken).findOneByOrFail({ id: res.body.id });
    expect(row.tokenHash).toBe(sha256(res.body.token));
    expect(JSON.stringify(row)).not.toContain(res.body.token.slice(8));

    const list = await admin.get('/api/v1/partner/api-tokens').expect(200);
    const listed = list.body.items.find((t: { id: string }) => t.id === res.body.id);
    expect(listed).toMatchObject({
      name: 'Billing sync',
      status: 'active',
      lastUsedAt: null,
      createdByEmail: adminEmail,
    });
    expect(JSON.stringify(list.body)).not.toContain(res.body.token);
    expect(JSON.stringify(list.body)).not.toContain(row.tokenHash);
  });

  it('expires in 90 days when no expiry is asked for, and refuses bad input with a problem, creating nothing', async () => {
    const t = await createToken(admin, ['audit:read']);
    expect(Math.round((new Date(t.expiresAt).getTime() - Date.now()) / 86_400_000)).toBe(90);
    const before = await db().getRepository(ApiToken).count();
    for (const body of [
      { name: '', scopes: ['audit:read'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['everything'] },
      { name: 'x', scopes: ['audit:read', 'audit:read'] },
      { name: 'x', scopes: 'audit:read' },
      { name: 'x', scopes: ['audit:read'], expiresInDays: 0 },
      { name: 'x', scopes: ['audit:read'], expiresInDays: 366 },
      { name: 'x', scopes: ['audit:read'], expiresInDays: '30' },
      { name: 'x'.repeat(101), scopes: ['audit:read'] },
    ]) {
      const res = await admin.post('/api/v1/partner/api-tokens').send(body).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(await db().getRepository(ApiToken).count()).toBe(before);
  });

  it('emails every partner admin when a token is created and when it is revoked', async () => {
    const t = await createToken(admin, ['customers:read'], 'CRM bridge');
    await admin.delete(`/api/v1/partner/api-tokens/${t.id}`).expect(204);
    await sut.settle();
    for (const to of [adminEmail, secondAdminEmail]) {
      const created = await mailsTo(sut.dataDir, to, 'A new API token was created for your partner account');
      expect(created.some((m) => m.text.includes('"CRM bridge"') && m.text.includes('customers:read'))).toBe(true);
      const revoked = await mailsTo(sut.dataDir, to, 'An API token of your partner account was revoked');
      expect(revoked.some((m) => m.text.includes('"CRM bridge"'))).toBe(true);
    }
    const mail = (await mailsTo(sut.dataDir, secondAdminEmail))[0];
    expect(mail.text).not.toMatch(/lmp_pat_/);
  });

  it('revokes at once: the next call is 401, revoking again is 204, and the list shows it revoked', async () => {
    const t = await createToken(admin, ['customers:read']);
    const call = withToken(sut.app, t.token);
    await call('get', '/api/v1/partner/customers').expect(200);
    await admin.delete(`/api/v1/partner/api-tokens/${t.id}`).expect(204);
    const res = await call('get', '/api/v1/partner/customers').expect(401);
    expect(res.body).toMatchObject({ status: 401, detail: 'This API token was revoked.' });
    await admin.delete(`/api/v1/partner/api-tokens/${t.id}`).expect(204);
    const list = await admin.get('/api/v1/partner/api-tokens').expect(200);
    expect(list.body.items.find((x: { id: string }) => x.id === t.id)).toMatchObject({ status: 'revoked' });
  });

  it("keeps another partner's tokens out of reach: list, revoke (404) and use", async () => {
    const other = await partnerWithAdmin(sut.app, 'tokens-other');
    const theirs = await createToken(other.agent, ['customers:read']);
    const mine = await admin.get('/api/v1/partner/api-tokens').expect(200);
    expect(mine.body.items.map((t: { id: string }) => t.id)).not.toContain(theirs.id);
    await admin.delete(`/api/v1/partner/api-tokens/${theirs.id}`).expect(404);
    await admin.delete('/api/v1/partner/api-tokens/0f0f0f0f-0000-4000-8000-000000000009').expect(404);
    await withToken(sut.app, theirs.token)('get', '/api/v1/partner/customers').expect(200);
  });

  it('lets partner_support see the tokens but not create or revoke one', async () => {
    const support = await staffUser(sut.app, partnerId, 'support@tokens.example.com', 'partner_support');
    const t = await createToken(admin, ['customers:read']);
    await support.get('/api/v1/partner/api-tokens').expect(200);
    const res = await support
      .post('/api/v1/partner/api-tokens')
      .send({ name: 'mine', scopes: ['customers:read'] })
      .expect(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    await support.delete(`/api/v1/partner/api-tokens/${t.id}`).expect(403);
    const page = await support.get('/partner/settings/api-tokens').expect(200);
    expect(page.text).toContain('Only partner admins can create and revoke API tokens.');
    expect(page.text).not.toContain('Create token');
    expect(page.text).not.toContain('/revoke');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    await support
      .post('/partner/settings/api-tokens')
      .type('form')
      .send({ _csrf: csrf, name: 'mine', scopes: 'customers:read' })
      .expect(403);
    await withToken(sut.app, t.token)('get', '/api/v1/partner/customers').expect(200);
  });

  it('audits calls made with a token as the token (id and name), not as a user, on the API and the page', async () => {
    const t = await createToken(admin, ['customers:write'], 'Provisioning robot');
    const c = await withToken(sut.app, t.token)('post', '/api/v1/partner/customers')
      .send({ companyName: 'Made by robot', country: 'DE' })
      .expect(201);
    const event = await db()
      .getRepository(AuditEvent)
      .findOneByOrFail({ customerId: c.body.id, action: 'customer.created' });
    expect(event).toMatchObject({ actorTokenId: t.id, actorUserId: null, partnerId });
    const audit = await admin.get(`/api/v1/partner/audit?customerId=${c.body.id}`).expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'customer.created',
      actorTokenId: t.id,
      actorTokenName: 'Provisioning robot',
      actorUserId: null,
    });
    const created = await admin.get('/api/v1/partner/audit?action=partner.api_token.created').expect(200);
    expect(created.body.items.some((e: { detail: { tokenId: string } }) => e.detail.tokenId === t.id)).toBe(true);
    const page = await admin.get(`/partner/audit?customerId=${c.body.id}`).expect(200);
    expect(page.text).toContain('API token “Provisioning robot”');
  });

  it('records the last use (time and address) at most once a minute', async () => {
    const t = await createToken(admin, ['customers:read']);
    const call = withToken(sut.app, t.token);
    const lastUse = async () =>
      (await admin.get('/api/v1/partner/api-tokens')).body.items.find((x: { id: string }) => x.id === t.id);
    await call('get', '/api/v1/partner/customers').expect(200);
    const first = await lastUse();
    expect(first.lastUsedAt).not.toBeNull();
    expect(first.lastUsedIp).toMatch(/127\.0\.0\.1|::1/);
    sut.clock.advance(30_000);
    await call('get', '/api/v1/partner/customers').expect(200);
    expect((await lastUse()).lastUsedAt).toBe(first.lastUsedAt);
    sut.clock.advance(31_000);
    await call('get', '/api/v1/partner/customers').expect(200);
    expect((await lastUse()).lastUsedAt).not.toBe(first.lastUsedAt);
  });

  it(`answers 429 with Retry-After past ${API_TOKEN_RATE.limit} calls a minute, counting parallel calls exactly`, async () => {
    const t = await createToken(admin, ['audit:read']);
    const other = await createToken(admin, ['audit:read']);
    const call = withToken(sut.app, t.token);
    const extra = 15;
    const results = await Promise.all(
      Array.from({ length: API_TOKEN_RATE.limit + extra }, () => call('get', '/api/v1/partner/api-tokens-nothing')),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(limited).toHaveLength(extra);
    expect(results.filter((r) => r.status !== 429).every((r) => r.status === 404)).toBe(true);
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThan(0);
    expect(limited[0].body).toMatchObject({ status: 429, type: '/problems/rate-limited' });
    // Per token: another token of the same partner is not held back.
    await withToken(sut.app, other.token)('get', '/api/v1/partner/audit').expect(200);
    sut.clock.advance(61_000);
    await call('get', '/api/v1/partner/audit').expect(200);
  });

  describe('Settings → API tokens page', () => {
    it('creates a token through the form (CSRF-protected) and shows it once with a copy button', async () => {
      await request(sut.app.getHttpServer())
        .post('/partner/settings/api-tokens')
        .type('form')
        .send({ name: 'no csrf', scopes: 'customers:read' })
        .expect(403);
      const csrf = await formToken(admin, '/partner/settings/api-tokens');
      await admin
        .post('/partner/settings/api-tokens')
        .type('form')
        .send({ name: 'no csrf', scopes: 'customers:read' })
        .expect(403);
      const res = await admin
        .post('/partner/settings/api-tokens')
        .type('form')
        .send({ _csrf: csrf, name: 'Form token', scopes: ['customers:read', 'audit:read'], expiresInDays: '7' })
        .expect(201);
      const secret = /value="(lmp_pat_[A-Za-z0-9_-]{43})"/.exec(res.text)?.[1];
      expect(secret).toBeDefined();
      expect(res.text).toContain('data-copy="token-secret"');
      expect(res.text).toContain('it is not shown again');
      await withToken(sut.app, secret!)('get', '/api/v1/partner/audit').expect(200);
      const list = await admin.get('/partner/settings/api-tokens').expect(200);
      expect(list.text).toContain('Form token');
      expect(list.text).not.toContain(secret!);
    });

    it('shows the form again with its errors, creating nothing', async () => {
      const before = await db().getRepository(ApiToken).count();
      const csrf = await formToken(admin, '/partner/settings/api-tokens');
      const res = await admin
        .post('/partner/settings/api-tokens')
        .type('form')
        .send({ _csrf: csrf, name: '', expiresInDays: '9999' })
        .expect(400);
      expect(res.text).toContain('Choose at least one thing the token may do.');
      expect(res.text).toContain('Enter a name');
      expect(await db().getRepository(ApiToken).count()).toBe(before);
    });

    it('revokes a token after a confirmation', async () => {
      const t = await createToken(admin, ['customers:read'], 'Old integration');
      const confirm = await admin.get(`/partner/settings/api-tokens/${t.id}/revoke`).expect(200);
      expect(confirm.text).toContain('Revoke the token “Old integration”?');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)![1];
      const done = await admin
        .post(`/partner/settings/api-tokens/${t.id}/revoke`)
        .type('form')
        .send({ _csrf: csrf })
        .expect(303);
      expect(done.headers.location).toBe('/partner/settings/api-tokens?done=revoked');
      await withToken(sut.app, t.token)('get', '/api/v1/partner/customers').expect(401);
    });
  });
});

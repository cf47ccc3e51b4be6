import TestAgent from 'supertest/lib/agent';
import { outboxCount, partnerWithAdmin } from '../support/fixtures';
import { signIn } from '../support/http';
import { RunningConsole, startConsole } from '../support/console-app';
import { linkIn, mailsTo, tokenOf } from '../support/mail';
import { api } from '../support/http';

interface Tenant {
  agent: TestAgent;
  customerId: string;
  accountId: string;
  licenseId: string;
  requestId: string;
}

/**
 * Two partners side by side. For every partner route, the other partner's ids answer 404
 * exactly like unknown ids, and nothing is written to the outbox.
 */
describe('tenant isolation of the partner API', () => {
  let sut: RunningConsole;
  let a: Tenant;
  let b: Tenant;

  async function tenant(code: string): Promise<Tenant> {
    const { agent } = await partnerWithAdmin(sut.app, code);
    const c = await agent
      .post('/api/v1/partner/customers')
      .send({ companyName: `${code} customer`, country: 'FR' })
      .expect(201);
    const acc = await agent
      .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
      .send({ email: `user@${code}-customer.example.com`, firstName: 'U', lastName: code, role: 'full_access' })
      .expect(201);
    const l = await agent
      .post(`/api/v1/partner/customers/${c.body.id}/licenses`)
      .send({
        product: 'Suite',
        seats: 5,
        startsAt: '2026-01-01T00:00:00Z',
        expiresAt: '2027-01-01T00:00:00Z',
      })
      .expect(201);
    const r = await agent
      .post(`/api/v1/partner/customers/${c.body.id}/accounts/${acc.body.id}/password-reset`)
      .expect(202);
    return {
      agent,
      customerId: c.body.id,
      accountId: acc.body.id,
      licenseId: l.body.id,
      requestId: r.body.requestId,
    };
  }

  beforeAll(async () => {
    sut = await startConsole();
    a = await tenant('alpha');
    b = await tenant('bravo');
    await sut.settle();
  });
  afterAll(() => sut.close());

  const newLicense = {
    product: 'Suite',
    seats: 1,
    startsAt: '2026-01-01T00:00:00Z',
    expiresAt: '2027-01-01T00:00:00Z',
  };
  const newAccount = { email: 'intruder@example.com', firstName: 'I', lastName: 'N', role: 'read_only' };

  // Every partner route that takes an id, called by A with B's ids (and with A's customer but B's account).
  const foreignCalls: Array<
    [string, (t: Tenant, o: Tenant) => [method: 'get' | 'post' | 'patch', path: string, body?: object]]
  > = [
    ['GET customer', (_t, o) => ['get', `/api/v1/partner/customers/${o.customerId}`]],
    ['GET accounts', (_t, o) => ['get', `/api/v1/partner/customers/${o.customerId}/accounts`]],
    ['POST account', (_t, o) => ['post', `/api/v1/partner/customers/${o.customerId}/accounts`, newAccount]],
    ['GET account', (_t, o) => ['get', `/api/v1/partner/customers/${o.customerId}/accounts/${o.accountId}`]],
    [
      'GET own customer, foreign account',
      (t, o) => ['get', `/api/v1/partner/customers/${t.customerId}/accounts/${o.accountId}`],
    ],
    [
      'POST reset',
      (_t, o) => ['post', `/api/v1/partner/customers/${o.customerId}/accounts/${o.accountId}/password-reset`],
    ],
    [
      'POST reset via own customer',
      (t, o) => ['post', `/api/v1/partner/customers/${t.customerId}/accounts/${o.accountId}/password-reset`],
    ],
    ['GET reset request', (_t, o) => ['get', `/api/v1/partner/password-resets/${o.requestId}`]],
    [
      'POST account 2FA reset',
      (_t, o) => ['post', `/api/v1/partner/customers/${o.customerId}/accounts/${o.accountId}/mfa/reset`],
    ],
    [
      'POST account 2FA reset via own customer',
      (t, o) => ['post', `/api/v1/partner/customers/${t.customerId}/accounts/${o.accountId}/mfa/reset`],
    ],
    ['GET licenses', (_t, o) => ['get', `/api/v1/partner/customers/${o.customerId}/licenses`]],
    ['POST license', (_t, o) => ['post', `/api/v1/partner/customers/${o.customerId}/licenses`, newLicense]],
    ['PATCH customer', (_t, o) => ['patch', `/api/v1/partner/customers/${o.customerId}`, { companyName: 'Taken' }]],
    [
      'PATCH account',
      (_t, o) => ['patch', `/api/v1/partner/customers/${o.customerId}/accounts/${o.accountId}`, { role: 'read_only' }],
    ],
    [
      'PATCH account via own customer',
      (t, o) => ['patch', `/api/v1/partner/customers/${t.customerId}/accounts/${o.accountId}`, { status: 'disabled' }],
    ],
    ['GET license', (_t, o) => ['get', `/api/v1/partner/customers/${o.customerId}/licenses/${o.licenseId}`]],
    [
      'GET license via own customer',
      (t, o) => ['get', `/api/v1/partner/customers/${t.customerId}/licenses/${o.licenseId}`],
    ],
    [
      'PATCH license',
      (_t, o) => ['patch', `/api/v1/partner/customers/${o.customerId}/licenses/${o.licenseId}`, { seats: 99 }],
    ],
    [
      'PATCH license via own customer',
      (t, o) => ['patch', `/api/v1/partner/customers/${t.customerId}/licenses/${o.licenseId}`, { seats: 99 }],
    ],
  ];

  it.each(foreignCalls)('%s with the other partner’s ids answers 404 and queues nothing', async (_name, call) => {
    for (const [t, o] of [
      [a, b],
      [b, a],
    ] as const) {
      const before = await outboxCount(sut.app);
      const [method, path, body] = call(t, o);
      const send = (p: string) => (method === 'get' ? t.agent.get(p) : t.agent[method](p).send(body ?? {}));
      const foreign = await send(path);
      expect(foreign.status).toBe(404);
      expect(foreign.headers['content-type']).toContain('application/problem+json');
      // Exactly like an id that does not exist at all.
      const unknownPath = path
        .replaceAll(o.customerId, '0f0f0f0f-0000-4000-8000-000000000001')
        .replaceAll(o.accountId, '0f0f0f0f-0000-4000-8000-000000000002')
        .replaceAll(o.requestId, '0f0f0f0f-0000-4000-8000-000000000003')
        .replaceAll(o.licenseId, '0f0f0f0f-0000-4000-8000-000000000004');
      const unknown = await send(unknownPath);
      expect(unknown.status).toBe(404);
      expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(unknown.body).sort());
      await sut.settle();
      expect(await outboxCount(sut.app)).toBe(before);
    }
  });

  it('leaves the other partner’s customer, account and license as they were after the refused edits', async () => {
    for (const t of [a, b]) {
      const base = `/api/v1/partner/customers/${t.customerId}`;
      const customer = await t.agent.get(base).expect(200);
      expect(customer.body.companyName).not.toBe('Taken');
      const account = await t.agent.get(`${base}/accounts/${t.accountId}`).expect(200);
      expect(account.body).toMatchObject({ role: 'full_access', status: 'invited' });
      const license = await t.agent.get(`${base}/licenses/${t.licenseId}`).expect(200);
      expect(license.body.seats).toBe(5);
    }
  });

  it('lists only the partner’s own customers, whatever the search', async () => {
    const all = await a.agent.get('/api/v1/partner/customers?pageSize=100').expect(200);
    expect(all.body.items.map((c: { id: string }) => c.id)).toEqual([a.customerId]);
    const search = await a.agent.get('/api/v1/partner/customers?q=bravo').expect(200);
    expect(search.body).toMatchObject({ items: [], total: 0 });
  });

  it('shows only the partner’s own audit events, even when filtering by a foreign customer', async () => {
    const own = await a.agent.get('/api/v1/partner/audit?pageSize=100').expect(200);
    expect(own.body.total).toBeGreaterThan(0);
    for (const e of own.body.items as Array<{ customerId: string | null }>) {
      expect([a.customerId, null]).toContain(e.customerId);
    }
    const foreign = await a.agent.get(`/api/v1/partner/audit?customerId=${b.customerId}`).expect(200);
    expect(foreign.body).toMatchObject({ items: [], total: 0 });
  });

  it('keeps customer users out of the partner API (403) and anonymous callers out (401)', async () => {
    const [invite] = await mailsTo(sut.dataDir, 'user@alpha-customer.example.com', 'You have been invited to LMP');
    await api(sut.app)
      .post('/api/v1/auth/reset-password')
      .send({ token: tokenOf(linkIn(invite, '/reset-password')), password: 'customer passphrase' })
      .expect(400); // voided: a reset was requested after the invitation
    const [reset] = await mailsTo(sut.dataDir, 'user@alpha-customer.example.com', 'Reset your password');
    await api(sut.app)
      .post('/api/v1/auth/reset-password')
      .send({ token: tokenOf(linkIn(reset, '/reset-password')), password: 'customer passphrase' })
      .expect(200);
    const customer = await signIn(sut.app, 'user@alpha-customer.example.com', 'customer passphrase');
    const res = await customer.get('/api/v1/partner/customers').expect(403);
    expect(res.body).toMatchObject({ status: 403, title: 'Forbidden' });
    await customer.get(`/api/v1/partner/customers/${a.customerId}`).expect(403);
    await api(sut.app).get('/api/v1/partner/customers').expect(401);
    await api(sut.app)
      .post(`/api/v1/partner/customers/${a.customerId}/accounts/${a.accountId}/password-reset`)
      .expect(401);
  });
});

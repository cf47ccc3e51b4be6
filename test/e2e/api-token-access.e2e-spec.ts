import request from 'supertest';
import { API_SCOPES, ApiScope } from '@lmp/tenancy';
import { createToken, withToken } from '../support/api-tokens';
import { csvRecords } from '../support/csv';
import { outboxCount } from '../support/fixtures';
import { RunningConsole, startConsole } from '../support/console-app';
import { sessionCookie } from '../support/http';
import { Tenant, tenantWithData } from '../support/partner-console';

type Method = 'get' | 'post' | 'patch' | 'delete';
/** A tenant of the fixture with a webhook of its own (subscribed to an event these tests never cause). */
type HookedTenant = Tenant & { webhookId: string };
type Route = [name: string, anyOf: ApiScope[], call: (t: HookedTenant) => [Method, string, object?]];

const license = { product: 'Suite', seats: 1, startsAt: '2026-01-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' };
const account = { email: 'robot-made@example.com', firstName: 'R', lastName: 'M', role: 'read_only' };
const acc = (t: Tenant) => `/api/v1/partner/customers/${t.customerId}/accounts/${t.accountId}`;
const cus = (t: Tenant) => `/api/v1/partner/customers/${t.customerId}`;
const hook = (t: HookedTenant) => `/api/v1/partner/webhooks/${t.webhookId}`;
const webhook = { url: 'https://hooks.example.com/lmp', events: ['password_reset.used'] };

/** Every partner API route that takes an id, with the scopes a token needs for it (any one will do). */
const ROUTES: Route[] = [
  ['GET customer', ['customers:read'], (t) => ['get', cus(t)]],
  ['PATCH customer', ['customers:write'], (t) => ['patch', cus(t), { companyName: 'Taken' }]],
  ['GET accounts', ['accounts:read'], (t) => ['get', `${cus(t)}/accounts`]],
  ['POST account', ['accounts:write', 'customers:write'], (t) => ['post', `${cus(t)}/accounts`, account]],
  ['GET account', ['accounts:read'], (t) => ['get', acc(t)]],
  ['PATCH account', ['accounts:write'], (t) => ['patch', acc(t), { role: 'read_only' }]],
  ['POST promote', ['accounts:write'], (t) => ['post', `${acc(t)}/promote`]],
  ['POST 2FA reset', ['accounts:write'], (t) => ['post', `${acc(t)}/mfa/reset`]],
  ['POST password reset', ['accounts:reset'], (t) => ['post', `${acc(t)}/password-reset`]],
  ['GET reset request', ['accounts:reset'], (t) => ['get', `/api/v1/partner/password-resets/${t.requestId}`]],
  ['GET licenses', ['licenses:read'], (t) => ['get', `${cus(t)}/licenses`]],
  ['POST license', ['licenses:write'], (t) => ['post', `${cus(t)}/licenses`, license]],
  ['GET license', ['licenses:read'], (t) => ['get', `${cus(t)}/licenses/${t.licenseId}`]],
  ['PATCH license', ['licenses:write'], (t) => ['patch', `${cus(t)}/licenses/${t.licenseId}`, { seats: 99 }]],
  ['POST renew', ['licenses:write'], (t) => ['post', `${cus(t)}/licenses/${t.licenseId}/renew`, { period: 'P1Y' }]],
  ['GET webhook', ['webhooks:manage'], (t) => ['get', hook(t)]],
  ['PATCH webhook', ['webhooks:manage'], (t) => ['patch', hook(t), { enabled: false }]],
  ['DELETE webhook', ['webhooks:manage'], (t) => ['delete', hook(t)]],
  ['POST webhook test', ['webhooks:manage'], (t) => ['post', `${hook(t)}/test`]],
  ['GET webhook deliveries', ['webhooks:manage'], (t) => ['get', `${hook(t)}/deliveries`]],
];

/**
 * The partner API routes without an id: nothing foreign to try, so only the scope test runs them
 * (what they list is checked to be the token's partner's own below).
 */
const LISTS: Route[] = [
  ['GET customers', ['customers:read'], () => ['get', '/api/v1/partner/customers']],
  [
    'POST customer',
    ['customers:write'],
    () => ['post', '/api/v1/partner/customers', { companyName: 'X', country: 'DE' }],
  ],
  ['GET customers.csv', ['customers:read'], () => ['get', '/api/v1/partner/customers.csv']],
  ['GET licenses of the partner', ['licenses:read'], () => ['get', '/api/v1/partner/licenses']],
  ['GET licenses.csv', ['licenses:read'], () => ['get', '/api/v1/partner/licenses.csv']],
  ['GET audit', ['audit:read'], () => ['get', '/api/v1/partner/audit']],
  ['GET audit.csv', ['audit:read'], () => ['get', '/api/v1/partner/audit.csv']],
  ['GET webhooks', ['webhooks:manage'], () => ['get', '/api/v1/partner/webhooks']],
  ['POST webhook', ['webhooks:manage'], () => ['post', '/api/v1/partner/webhooks', webhook]],
];

const ALL: ApiScope[] = [...API_SCOPES];

/** What an API token reaches: its partner's routes within its scopes, nothing else. */
describe('access with a partner API token', () => {
  let sut: RunningConsole;
  let a: HookedTenant;
  let b: HookedTenant;
  let full: string;

  beforeAll(async () => {
    sut = await startConsole();
    const hooked = async (code: string): Promise<HookedTenant> => {
      const t = await tenantWithData(sut.app, code);
      const created = await t.admin.post('/api/v1/partner/webhooks').send(webhook).expect(201);
      return { ...t, webhookId: created.body.id as string };
    };
    a = await hooked('scope-a');
    b = await hooked('scope-b');
    full = (await createToken(a.admin, ALL, 'everything')).token;
    await sut.settle();
  });
  afterAll(() => sut.close());

  const send = (token: string, [method, path, body]: [Method, string, object?]) => {
    const req = withToken(sut.app, token)(method, path);
    return method === 'get' || method === 'delete' ? req : req.send(body ?? {});
  };

  it('the tables above name every route open to tokens, with the scopes the API document gives it', async () => {
    type Doc = { paths: Record<string, Record<string, { 'x-required-scopes'?: string[] }>> };
    const doc = (await request(sut.app.getHttpServer()).get('/api/openapi.json').expect(200)).body as Doc;
    const shape = (path: string) => path.replace(/\{\w+\}/g, '{}');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op['x-required-scopes'])
        .map(([method, op]) => `${method.toUpperCase()} ${shape(path)} ${op['x-required-scopes']!.join(' ')}`),
    );
    const ids = { customerId: '{}', accountId: '{}', licenseId: '{}', requestId: '{}', webhookId: '{}' };
    const listed = [...ROUTES, ...LISTS].map(([, anyOf, call]) => {
      const [method, path] = call({ ...ids, partnerId: '', admin: a.admin });
      return `${method.toUpperCase()} ${path} ${anyOf.join(' ')}`;
    });
    expect(documented.length).toBeGreaterThan(20);
    expect([...new Set(listed)].sort()).toEqual(documented.sort());
  });

  it.each(ROUTES)("%s with the other partner's ids answers 404 to a token, queueing nothing", async (_n, _s, call) => {
    const before = await outboxCount(sut.app);
    const res = await send(full, call(b));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    await sut.settle();
    expect(await outboxCount(sut.app)).toBe(before);
  });

  it("changed nothing of the other partner's through those 404s", async () => {
    const hookNow = await b.admin.get(`/api/v1/partner/webhooks/${b.webhookId}`).expect(200);
    expect(hookNow.body).toMatchObject({ ...webhook, enabled: true });
    const deliveries = await b.admin.get(`/api/v1/partner/webhooks/${b.webhookId}/deliveries`).expect(200);
    expect(deliveries.body.items).toEqual([]);
    const licenseNow = await b.admin.get(`${cus(b)}/licenses/${b.licenseId}`).expect(200);
    expect(licenseNow.body).toMatchObject({ seats: 5, expiresAt: '2036-01-01T00:00:00.000Z' });
  });

  it('lists only its own partner’s customers, licenses, webhooks and audit events, in JSON and CSV', async () => {
    const customers = await send(full, ['get', '/api/v1/partner/customers?pageSize=100']).expect(200);
    expect(customers.body.items.map((c: { id: string }) => c.id)).toEqual([a.customerId]);
    const audit = await send(full, ['get', `/api/v1/partner/audit?customerId=${b.customerId}`]).expect(200);
    expect(audit.body).toMatchObject({ items: [], total: 0 });
    const licenses = await send(full, ['get', '/api/v1/partner/licenses']).expect(200);
    expect(licenses.body.items.map((l: { id: string }) => l.id)).toEqual([a.licenseId]);
    const foreign = await send(full, ['get', `/api/v1/partner/licenses?customerId=${b.customerId}`]).expect(200);
    expect(foreign.body).toMatchObject({ items: [], total: 0 });
    const hooks = await send(full, ['get', '/api/v1/partner/webhooks']).expect(200);
    expect(hooks.body.items.map((h: { id: string }) => h.id)).toEqual([a.webhookId]);
    const csv = async (path: string) => csvRecords((await send(full, ['get', path]).expect(200)).text).rows;
    expect((await csv('/api/v1/partner/customers.csv')).map((r) => r.id)).toEqual([a.customerId]);
    expect((await csv('/api/v1/partner/licenses.csv')).map((r) => r.id)).toEqual([a.licenseId]);
    expect(await csv(`/api/v1/partner/licenses.csv?customerId=${b.customerId}`)).toEqual([]);
    const events = await csv('/api/v1/partner/audit.csv');
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.customerId === b.customerId)).toEqual([]);
    expect(events.some((e) => e.customerId === a.customerId)).toBe(true);
  });

  it.each([...ROUTES, ...LISTS])('%s is 403 naming its scopes to a token without them', async (_n, anyOf, call) => {
    const granting = anyOf.flatMap((s) => [s, s.replace(':read', ':write')]);
    const others = ALL.filter((s) => !granting.includes(s));
    const token = (await createToken(a.admin, others, `without ${anyOf.join(' ')}`)).token;
    const res = await send(token, call(a)).expect(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    // RFC 6750 §3.1: the challenge names the error and the scopes that would do.
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="LMP partner API", error="insufficient_scope", scope="${anyOf.join(' ')}"`,
    );
    expect(res.body).toMatchObject({
      type: '/problems/missing-scope',
      errors: [{ field: 'scope', message: `missing ${anyOf.join(' or ')}` }],
    });
    for (const scope of anyOf) expect(res.body.detail).toContain(`"${scope}"`);
  });

  it('lets a token use exactly its scopes (a :write scope also reads)', async () => {
    const reader = (await createToken(a.admin, ['customers:read'])).token;
    await send(reader, ['get', cus(a)]).expect(200);
    await send(reader, ['get', '/api/v1/partner/customers']).expect(200);
    const denied = await send(reader, ['post', '/api/v1/partner/customers', { companyName: 'X', country: 'DE' }]);
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toContain('"customers:write"');
    await send(reader, ['get', `${cus(a)}/licenses`]).expect(403);
    // The automation the docs show: customers:write adds a customer and its users, accounts:reset sends resets.
    const writer = (await createToken(a.admin, ['customers:write', 'accounts:reset'])).token;
    const c = await send(writer, [
      'post',
      '/api/v1/partner/customers',
      { companyName: 'Robot Ltd', country: 'DE' },
    ]).expect(201);
    await send(writer, ['get', `/api/v1/partner/customers/${c.body.id}`]).expect(200);
    const u = await send(writer, ['post', `/api/v1/partner/customers/${c.body.id}/accounts`, account]).expect(201);
    await send(writer, ['post', `/api/v1/partner/customers/${c.body.id}/accounts/${u.body.id}/password-reset`]).expect(
      202,
    );
    const audit = (await createToken(a.admin, ['audit:read'])).token;
    await send(audit, ['get', '/api/v1/partner/audit']).expect(200);
    await send(audit, ['get', '/api/v1/partner/customers']).expect(403);
  });

  it('is 403 to every token on routes without a scope: the settings and the tokens themselves', async () => {
    for (const call of [
      ['get', '/api/v1/partner/settings'],
      ['patch', '/api/v1/partner/settings', { requireStaffMfa: true }],
      ['get', '/api/v1/partner/api-tokens'],
      ['post', '/api/v1/partner/api-tokens', { name: 'child', scopes: ['customers:read'] }],
    ] as Array<[Method, string, object?]>) {
      const res = await send(full, call).expect(403);
      expect(res.body.detail).toBe('This route is not open to API tokens: sign in instead.');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="LMP partner API", error="insufficient_scope"');
    }
    const list = await a.admin.get('/api/v1/partner/api-tokens').expect(200);
    expect(list.body.items.some((t: { name: string }) => t.name === 'child')).toBe(false);
    const mine = list.body.items.find((t: { name: string }) => t.name === 'everything');
    await withToken(sut.app, full)('delete', `/api/v1/partner/api-tokens/${mine.id}`).expect(403);
  });

  it('is 401 with a clear problem for unknown, expired and malformed tokens, never a 500', async () => {
    const unknown = `lmp_pat_${'A'.repeat(43)}`;
    const cases: Array<[string, string]> = [
      [`Bearer ${unknown}`, 'This API token is not known.'],
      ['Bearer', 'Send the API token as "Authorization: Bearer lmp_pat_…".'],
      ['Bearer ', 'Send the API token as "Authorization: Bearer lmp_pat_…".'],
      ['Basic dXNlcjpwYXNz', 'Send the API token as "Authorization: Bearer lmp_pat_…".'],
      ['Bearer a b', 'Send the API token as "Authorization: Bearer lmp_pat_…".'],
      ['Bearer lmp_pat_short', 'This is not an LMP API token.'],
      [`Bearer ${unknown}x`, 'This is not an LMP API token.'],
      ['Bearer abc.def.ghi', 'This is not an LMP API token.'],
      ['', 'Send the API token as "Authorization: Bearer lmp_pat_…".'],
    ];
    for (const [header, detail] of cases) {
      const res = await request(sut.app.getHttpServer()).get('/api/v1/partner/customers').set('Authorization', header);
      expect([header, res.status]).toEqual([header, 401]);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, type: '/problems/invalid-api-token', detail });
      // RFC 6750 §3: a challenge on every 401; an error code only when a bearer token was presented.
      const presented = !detail.startsWith('Send the API token');
      expect([header, res.headers['www-authenticate']]).toEqual([
        header,
        presented ? 'Bearer realm="LMP partner API", error="invalid_token"' : 'Bearer realm="LMP partner API"',
      ]);
    }
    const short = await createToken(a.admin, ['customers:read'], 'short-lived', 1);
    await withToken(sut.app, short.token)('get', '/api/v1/partner/customers').expect(200);
    sut.clock.advance(86_400_000 + 1000);
    const expired = await withToken(sut.app, short.token)('get', '/api/v1/partner/customers').expect(401);
    expect(expired.body.detail).toBe('This API token has expired.');
    expect(expired.headers['www-authenticate']).toBe('Bearer realm="LMP partner API", error="invalid_token"');
  });

  it('needs no cookie and no CSRF token, and sets no cookie; the cookie session is ignored when a token is sent', async () => {
    const res = await withToken(sut.app, full)('post', '/api/v1/partner/customers')
      .send({ companyName: 'No cookie Ltd', country: 'FR' })
      .expect(201);
    expect(res.headers['set-cookie']).toBeUndefined();
    // A cross-site request with the session cookie is still refused; a bad token beside a good cookie is 401.
    const login = await request(sut.app.getHttpServer())
      .post('/api/v1/auth/login')
      .send({ email: 'admin@scope-a.example.com', password: 'partner admin passphrase' })
      .expect(200);
    const cookie = sessionCookie(login)!;
    await request(sut.app.getHttpServer()).get('/api/v1/partner/customers').set('Cookie', cookie).expect(200);
    await request(sut.app.getHttpServer())
      .post('/api/v1/partner/customers')
      .set('Cookie', cookie)
      .set('Origin', 'https://evil.example')
      .send({ companyName: 'Forged', country: 'FR' })
      .expect(403);
    await request(sut.app.getHttpServer())
      .get('/api/v1/partner/customers')
      .set('Cookie', cookie)
      .set('Authorization', 'Bearer nonsense')
      .expect(401);
  });

  describe('outside the partner API', () => {
    const elsewhere: Array<[string, Method, string]> = [
      ['My Profile API', 'get', '/api/v1/me/profile'],
      ['the company API', 'get', '/api/v1/company/users'],
      ['the company’s licenses', 'get', '/api/v1/company/licenses'],
      ['sign-out', 'post', '/api/v1/auth/logout'],
      ['the operators’ pages', 'get', '/ops/queues'],
      ['the partner console pages', 'get', '/partner/customers'],
      ['the settings page', 'get', '/partner/settings/api-tokens'],
      ['the account pages', 'get', '/account/profile'],
      ['the page sign-out', 'post', '/logout'],
      ['the partner API spelt in capitals elsewhere', 'get', '/API/V1/ME'],
    ];

    it.each(elsewhere)('%s answers 401 to a token', async (_name, method, path) => {
      const res = await withToken(sut.app, full)(method, path);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        status: 401,
        detail: 'API tokens work only on the partner API (/api/v1/partner/…).',
      });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="LMP partner API", error="invalid_token"');
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('answers 401 to a token even beside a valid session cookie', async () => {
      const login = await request(sut.app.getHttpServer())
        .post('/api/v1/auth/login')
        .send({ email: 'admin@scope-b.example.com', password: 'partner admin passphrase' })
        .expect(200);
      const cookie = sessionCookie(login)!;
      await request(sut.app.getHttpServer()).get('/api/v1/me/profile').set('Cookie', cookie).expect(200);
      await request(sut.app.getHttpServer())
        .get('/api/v1/me/profile')
        .set('Cookie', cookie)
        .set('Authorization', `Bearer ${full}`)
        .expect(401);
      // The session is still alive: sign-out with the token was refused.
      await request(sut.app.getHttpServer())
        .post('/api/v1/auth/logout')
        .set('Cookie', cookie)
        .set('Authorization', `Bearer ${full}`)
        .expect(401);
      await request(sut.app.getHttpServer()).get('/api/v1/me/profile').set('Cookie', cookie).expect(200);
    });
  });
});

import TestAgent from 'supertest/lib/agent';
import { outboxCount, partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';
import { RunningConsole, startConsole } from '../support/console-app';

/** Bad input gets a clear RFC 9457 answer and changes nothing. */
describe('input validation and problem details', () => {
  let sut: RunningConsole;
  let admin: TestAgent;
  let customerId: string;

  beforeAll(async () => {
    sut = await startConsole();
    admin = (await partnerWithAdmin(sut.app, 'inputs')).agent;
    customerId = (
      await admin.post('/api/v1/partner/customers').send({ companyName: 'Valid Co', country: 'IE' }).expect(201)
    ).body.id;
  });
  afterAll(() => sut.close());

  it('refuses bodies that are not application/json with 415', async () => {
    for (const [type, body] of [
      ['text/plain', '{"companyName":"X","country":"GB"}'],
      ['application/x-www-form-urlencoded', 'companyName=X&country=GB'],
    ]) {
      const res = await admin.post('/api/v1/partner/customers').set('Content-Type', type).send(body);
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: 'about:blank', title: 'Unsupported Media Type', status: 415 });
    }
    const list = await admin.get('/api/v1/partner/customers').expect(200);
    expect(list.body.total).toBe(1);
  });

  it('answers invalid bodies with 400 and one error per field', async () => {
    const res = await admin
      .post(`/api/v1/partner/customers/${customerId}/accounts`)
      .send({ email: 'not-an-email', firstName: '', role: 'owner', extra: true })
      .expect(400);
    expect(res.body).toMatchObject({ type: '/problems/validation', title: 'Invalid request', status: 400 });
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'firstName', 'lastName', 'role', 'extra']));
    const license = await admin
      .post(`/api/v1/partner/customers/${customerId}/licenses`)
      .send({ product: 'Suite', seats: 0, startsAt: 'yesterday', expiresAt: '2020-01-01T00:00:00Z' })
      .expect(400);
    expect((license.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(
      expect.arrayContaining(['seats', 'startsAt']),
    );
    const order = await admin
      .post(`/api/v1/partner/customers/${customerId}/licenses`)
      .send({ product: 'Suite', seats: 3, startsAt: '2026-06-01T00:00:00Z', expiresAt: '2026-01-01T00:00:00Z' })
      .expect(400);
    expect(order.body.errors).toEqual([{ field: 'expiresAt', message: 'must be after startsAt' }]);
    expect(await outboxCount(sut.app)).toBe(0);
  });

  it('answers broken JSON with 400 problem details', async () => {
    const res = await admin
      .post('/api/v1/partner/customers')
      .set('Content-Type', 'application/json')
      .send('{"companyName":');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
  });

  it('validates list parameters', async () => {
    const res = await admin.get('/api/v1/partner/customers?pageSize=1000&page=0&sort=drop table').expect(400);
    expect((res.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
      'page',
      'pageSize',
      'sort',
    ]);
    const sorted = await admin.get('/api/v1/partner/customers?sort=-createdAt&pageSize=100').expect(200);
    expect(sorted.body).toMatchObject({ page: 1, pageSize: 100, total: 1 });
  });

  it('answers unknown and malformed ids with 404', async () => {
    await admin.get('/api/v1/partner/customers/00000000-0000-4000-8000-000000000000').expect(404);
    await admin.get('/api/v1/partner/customers/not-an-id').expect(404);
    await admin.get('/api/v1/partner/password-resets/1 OR 1=1').expect(404);
    await admin
      .post(`/api/v1/partner/customers/${customerId}/accounts/00000000-0000-4000-8000-000000000000/password-reset`)
      .expect(404);
    expect(await outboxCount(sut.app)).toBe(0);
  });

  it('answers forged tokens with 400, on the API and on the page', async () => {
    for (const token of ['forged', 'A'.repeat(43), '', '../../etc/passwd']) {
      const res = await api(sut.app)
        .post('/api/v1/auth/reset-password')
        .send({ token, password: 'long enough passphrase' });
      expect(res.status).toBe(400);
    }
    const page = await api(sut.app)
      .get(`/reset-password?token=${'B'.repeat(43)}`)
      .expect(400);
    expect(page.text).toContain('This link cannot be used');
    await api(sut.app).get('/reset-password').expect(400);
  });

  it('requires a CSRF token on form posts', async () => {
    const res = await api(sut.app)
      .post('/reset-password')
      .type('form')
      .send({ token: 'x', password: 'y', confirmPassword: 'y' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('The form expired');
    const login = await api(sut.app)
      .post('/login')
      .type('form')
      .send({ email: 'admin@inputs.example.com', password: 'partner admin passphrase' });
    expect(login.status).toBe(403);
  });

  it('refuses cross-site requests to the JSON API', async () => {
    const res = await admin
      .post('/api/v1/partner/customers')
      .set('Origin', 'https://evil.example')
      .send({ companyName: 'Evil', country: 'GB' });
    expect(res.status).toBe(403);
    await admin
      .post('/api/v1/partner/customers')
      .set('Origin', 'http://console.test')
      .send({ companyName: 'Same Origin Co', country: 'GB' })
      .expect(201);
  });

  it('serves health endpoints and security headers', async () => {
    await api(sut.app).get('/health/live').expect(200, { status: 'ok' });
    const ready = await api(sut.app).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    const page = await api(sut.app).get('/login').expect(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-request-id']).toBeTruthy();
  });
});

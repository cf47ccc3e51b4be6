import request from 'supertest';
import { DataSource } from 'typeorm';
import { OutboxMessage } from '@lmp/database';
import { partnerWithAdmin } from '../support/fixtures';
import { api, sessionCookie } from '../support/http';
import { linkIn, mailsTo, tokenOf } from '../support/mail';
import { RunningConsole } from '../support/console-app';
import { CORE_FLOWS } from '../support/core-flow';
import { runFlows } from '../support/flows';
import { embeddedStack } from '../support/stacks';

/**
 * The core flow on the embedded default: a partner admin creates a customer and an account,
 * the invitation sets the first password, the admin triggers a reset, the emailed link sets
 * a new password, and everything that should stop working does.
 */
describe('partner-triggered password reset (embedded mode)', () => {
  const stack = runFlows(CORE_FLOWS, () => embeddedStack());
  let sut: RunningConsole;

  beforeAll(() => {
    sut = stack().sut;
  });

  it('voids the older link when a newer reset is requested', async () => {
    const { agent: admin } = await partnerWithAdmin(sut.app);
    const c = await admin
      .post('/api/v1/partner/customers')
      .send({ companyName: 'Fabrikam', country: 'DE' })
      .expect(201);
    const a = await admin
      .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
      .send({ email: 'ops@fabrikam.example.com', firstName: 'Ola', lastName: 'Berg', role: 'read_only' })
      .expect(201);
    const first = await admin
      .post(`/api/v1/partner/customers/${c.body.id}/accounts/${a.body.id}/password-reset`)
      .expect(202);
    await sut.settle();
    const firstMails = await mailsTo(sut.dataDir, 'ops@fabrikam.example.com', 'Reset your password');
    const firstLink = linkIn(firstMails[0], '/reset-password');
    await admin.post(`/api/v1/partner/customers/${c.body.id}/accounts/${a.body.id}/password-reset`).expect(202);
    await sut.settle();

    await api(sut.app)
      .post('/api/v1/auth/reset-password')
      .send({ token: tokenOf(firstLink), password: 'a fine new passphrase' })
      .expect(400);
    const old = await admin.get(`/api/v1/partner/password-resets/${first.body.requestId}`).expect(200);
    expect(old.body).toMatchObject({ status: 'expired', reason: 'replaced by a newer request' });
  });

  it('refuses an expired link, and a weak password without spending the link', async () => {
    const { agent: admin } = await partnerWithAdmin(sut.app);
    const c = await admin
      .post('/api/v1/partner/customers')
      .send({ companyName: 'Tailspin', country: 'US' })
      .expect(201);
    const a = await admin
      .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
      .send({ email: 'pilot@tailspin.example.com', firstName: 'Pat', lastName: 'Ng', role: 'read_only' })
      .expect(201);
    const r = await admin
      .post(`/api/v1/partner/customers/${c.body.id}/accounts/${a.body.id}/password-reset`)
      .expect(202);
    await sut.settle();
    const [mail] = await mailsTo(sut.dataDir, 'pilot@tailspin.example.com', 'Reset your password');
    const token = tokenOf(linkIn(mail, '/reset-password'));

    const weak = await api(sut.app).post('/api/v1/auth/reset-password').send({ token, password: 'short' }).expect(400);
    expect(weak.body.errors).toEqual([{ field: 'password', message: 'must be at least 8 characters' }]);
    const asEmail = await api(sut.app)
      .post('/api/v1/auth/reset-password')
      .send({ token, password: 'PILOT@tailspin.example.com' })
      .expect(400);
    expect(asEmail.body.errors[0].field).toBe('password');

    sut.clock.advance(61 * 60_000);
    await api(sut.app)
      .post('/api/v1/auth/reset-password')
      .send({ token, password: 'good long passphrase' })
      .expect(400);
    const expired = await admin.get(`/api/v1/partner/password-resets/${r.body.requestId}`).expect(200);
    expect(expired.body.status).toBe('expired');
    sut.clock.advance(-61 * 60_000);
  });

  it('builds links from PUBLIC_URL, never from the Host header', async () => {
    const { agent: admin } = await partnerWithAdmin(sut.app);
    const c = await admin
      .post('/api/v1/partner/customers')
      .set('Host', 'evil.example')
      .send({ companyName: 'Hosty', country: 'NL' })
      .expect(201);
    await admin
      .post(`/api/v1/partner/customers/${c.body.id}/accounts`)
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .send({ email: 'h@hosty.example.com', firstName: 'H', lastName: 'O', role: 'read_only' })
      .expect(201);
    await sut.settle();
    const [mail] = await mailsTo(sut.dataDir, 'h@hosty.example.com');
    expect(linkIn(mail, '/reset-password').startsWith('http://console.test/')).toBe(true);
    expect(mail.text).not.toContain('evil.example');
  });

  it('signs out on the server: the cookie stops working', async () => {
    const { agent, adminEmail } = await partnerWithAdmin(sut.app);
    const login = await api(sut.app)
      .post('/api/v1/auth/login')
      .send({ email: adminEmail, password: 'partner admin passphrase' })
      .expect(200);
    const cookie = sessionCookie(login)!;
    expect(login.headers['set-cookie'][0]).toMatch(/HttpOnly/);
    expect(login.headers['set-cookie'][0]).toMatch(/SameSite=Lax/);
    await api(sut.app).get('/api/v1/auth/session').set('Cookie', cookie).expect(200);
    await api(sut.app).post('/api/v1/auth/logout').set('Cookie', cookie).expect(204);
    await api(sut.app).get('/api/v1/auth/session').set('Cookie', cookie).expect(401);
    await agent.get('/api/v1/auth/session').expect(200);
  });

  it('queues nothing when the outbox row is not committed', async () => {
    const before = await sut.app.get(DataSource).getRepository(OutboxMessage).count();
    const { agent: admin } = await partnerWithAdmin(sut.app);
    await admin
      .post('/api/v1/partner/customers/00000000-0000-4000-8000-000000000000/accounts')
      .send({ email: 'x@y.example.com', firstName: 'X', lastName: 'Y', role: 'read_only' })
      .expect(404);
    expect(await sut.app.get(DataSource).getRepository(OutboxMessage).count()).toBe(before);
  });

  it('answers every failed sign-in with the same 401', async () => {
    const { adminEmail } = await partnerWithAdmin(sut.app);
    const unknown = await api(sut.app)
      .post('/api/v1/auth/login')
      .send({ email: 'nobody@nowhere.example.com', password: 'whatever it is' });
    const wrong = await api(sut.app)
      .post('/api/v1/auth/login')
      .send({ email: adminEmail, password: 'not the password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    const missing: request.Response = await api(sut.app).post('/api/v1/auth/login').send({ email: adminEmail });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'password' })]));
  });
});

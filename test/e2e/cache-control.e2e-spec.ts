import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { totpCode } from '@lmp/identity';
import { RunningConsole, startConsole } from '../support/console-app';
import { ADMIN_PASSWORD, partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';

/**
 * Nothing a signed-in user sees may stay in a browser or proxy cache: API answers (a TOTP key,
 * recovery codes), their errors, and every page. Only the static assets are cached.
 */
describe('Cache-Control', () => {
  let sut: RunningConsole;
  let admin: TestAgent;
  let adminEmail: string;

  beforeAll(async () => {
    sut = await startConsole();
    ({ agent: admin, adminEmail } = await partnerWithAdmin(sut.app));
  });
  afterAll(() => sut.close());

  const noStore = (res: request.Response, what: string) =>
    expect({ what, cacheControl: res.headers['cache-control'] }).toEqual({ what, cacheControl: 'no-store' });

  it('is no-store on every API answer, errors included', async () => {
    const answers: Array<[string, request.Response]> = [
      ['session', await admin.get('/api/v1/auth/session').expect(200)],
      ['profile', await admin.get('/api/v1/me/profile').expect(200)],
      ['2FA overview', await admin.get('/api/v1/me/mfa').expect(200)],
      ['a new authenticator key', await admin.post('/api/v1/me/mfa/totp')],
      ['customers', await admin.get('/api/v1/partner/customers').expect(200)],
      ['401 problem', await api(sut.app).get('/api/v1/me/profile').expect(401)],
      ['404 problem', await admin.get('/api/v1/partner/customers/0f0f0f0f-0000-4000-8000-000000000009').expect(404)],
      ['unknown route', await admin.get('/api/v1/no-such-thing').expect(404)],
      ['validation problem', await admin.post('/api/v1/partner/customers').send({ country: 'nowhere' }).expect(400)],
      [
        'malformed JSON',
        await api(sut.app)
          .post('/api/v1/auth/login')
          .set('Content-Type', 'application/json')
          .send('{"email":')
          .expect(400),
      ],
      ['wrong media type', await api(sut.app).post('/api/v1/auth/login').type('form').send({ a: 'b' }).expect(415)],
    ];
    for (const [what, res] of answers) noStore(res, what);
    expect(answers[3][1].status).toBeLessThan(500);
  });

  it('is no-store on every signed-in page, its redirects, and the second step of signing in', async () => {
    for (const path of ['/', '/partner/customers', '/partner/settings', '/account/profile', '/account/security'])
      noStore(await admin.get(path), path);
    noStore(await admin.get('/account/security/two-factor/app'), 'authenticator set-up page');

    // The second step, with its own pending cookie.
    const me = request.agent(sut.app.getHttpServer());
    await me.post('/api/v1/auth/login').send({ email: adminEmail, password: ADMIN_PASSWORD }).expect(200);
    const setup = await me.post('/api/v1/me/mfa/totp').expect(201);
    await me
      .post(`/api/v1/me/mfa/${setup.body.methodId}/confirm`)
      .send({ code: totpCode(setup.body.secret as string, sut.clock.now()) })
      .expect(200);
    const pending = request.agent(sut.app.getHttpServer());
    await pending.post('/api/v1/auth/login').send({ email: adminEmail, password: ADMIN_PASSWORD }).expect(200);
    noStore(await pending.get('/login/mfa').expect(200), 'second step');
  });

  it('keeps the static assets cacheable', async () => {
    const css = await api(sut.app).get('/assets/app.css').expect(200);
    expect(css.headers['cache-control']).toBe('public, max-age=3600');
  });
});

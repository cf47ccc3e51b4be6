import request from 'supertest';
import { ListPositionsCache } from '@lmp/tenancy';
import { ADMIN_PASSWORD, partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';
import { ScaleOutStack } from '../support/scale-out';
import { dropQueuePrefix, TEST_REDIS_URL } from '../support/services';

const cookieOf = (res: request.Response, name: string): string => {
  const found = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie (status ${res.status})`);
  return found.split(';')[0];
};
const formToken = (res: request.Response): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match) throw new Error(`no form token (status ${res.status})`);
  return match[1];
};

/**
 * Two consoles on one Redis and one MariaDB, as behind a load balancer: nothing a console keeps
 * in its memory decides an answer. Each request below goes to the other console than the last.
 */
describe('two consoles on one Redis and one MariaDB', () => {
  const stack = new ScaleOutStack();

  beforeAll(async () => {
    await stack.start({ REDIS_URL: TEST_REDIS_URL }, { consoles: 2, workers: 0 });
  }, 90_000);

  afterAll(async () => {
    await stack.stop();
    await dropQueuePrefix(stack.env.QUEUE_PREFIX);
  }, 60_000);

  it('signs in on one console with the form of the other, and the session and its forms work on both', async () => {
    const [a, b] = stack.consoles.map((c) => c.app);
    const { adminEmail } = await partnerWithAdmin(a);

    const loginPage = await api(a).get('/login').expect(200);
    const csrf = cookieOf(loginPage, 'lmp_csrf');
    const signedIn = await api(b)
      .post('/login')
      .set('Cookie', csrf)
      .type('form')
      .send({ _csrf: formToken(loginPage), email: adminEmail, password: ADMIN_PASSWORD });
    expect(signedIn.status).toBe(303);
    const cookies = `${csrf}; ${cookieOf(signedIn, 'lmp_session')}`;

    expect((await api(a).get('/api/v1/me/profile').set('Cookie', cookies).expect(200)).body.email).toBe(adminEmail);
    const security = await api(b).get('/account/security').set('Cookie', cookies).expect(200);
    const signedOut = await api(a)
      .post('/logout')
      .set('Cookie', cookies)
      .type('form')
      .send({ _csrf: formToken(security) });
    expect(signedOut.status).toBe(303);
    await api(b).get('/api/v1/me/profile').set('Cookie', cookies).expect(401);
    await api(a).get('/api/v1/me/profile').set('Cookie', cookies).expect(401);
  });

  it('counts a rate limit once across both consoles', async () => {
    const [a, b] = stack.consoles.map((c) => c.app);
    const hit = (app: typeof a) =>
      api(app).post('/api/v1/auth/resend-verification').send({ email: 'nobody@litware.example.com' });
    // 3 per 15 minutes per client address: two on one console, one on the other, then both refuse.
    expect((await hit(a)).status).toBe(202);
    expect((await hit(b)).status).toBe(202);
    expect((await hit(a)).status).toBe(202);
    expect((await hit(b)).status).toBe(429);
    expect((await hit(a)).status).toBe(429);
  });

  it("voids every console's kept customer-list totals when one console records a change", async () => {
    const [a, b] = stack.consoles.map((c) => c.app.get(ListPositionsCache));
    const partnerId = 'c0ffee00-0000-4000-8000-000000000001';
    let loads = 0;
    const load = () => Promise.resolve(++loads);

    expect(await a.remember(partnerId, 'total', load)).toBe(1);
    expect(await b.remember(partnerId, 'total', load)).toBe(2);
    // Kept: no new load on either console.
    expect(await a.remember(partnerId, 'total', load)).toBe(1);
    expect(await b.remember(partnerId, 'total', load)).toBe(2);

    b.forget(partnerId);
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.remember(partnerId, 'total', load)).toBe(3);
    expect(await b.remember(partnerId, 'total', load)).toBe(4);
  });
});

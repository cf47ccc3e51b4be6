import request from 'supertest';
import { RunningConsole, startConsole } from '../support/console-app';
import { ADMIN_PASSWORD, partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';

/** The console as production starts it: https only, Secure cookies, HSTS, a scrape token. */
describe('a production console', () => {
  let sut: RunningConsole;

  beforeAll(async () => {
    sut = await startConsole({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://lmp.example.com',
      SESSION_SECRET: 'production-test-session-secret-0123456789',
      DATA_ENCRYPTION_KEY: 'cd'.repeat(32),
      METRICS_TOKEN: 'production-scrape-token',
    });
  });
  afterAll(() => sut.close());

  const cookies = (res: request.Response): string[] => ([] as string[]).concat(res.headers['set-cookie'] ?? []);

  it('sends HSTS and marks every cookie Secure', async () => {
    const page = await api(sut.app).get('/login').expect(200);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const { adminEmail } = await partnerWithAdmin(sut.app);
    const signIn = await api(sut.app)
      .post('/api/v1/auth/login')
      .send({ email: adminEmail, password: ADMIN_PASSWORD })
      .expect(200);

    const all = [...cookies(page), ...cookies(signIn)];
    expect(all.map((c) => c.split('=')[0]).sort()).toEqual(['__Host-lmp_csrf', 'lmp_device', 'lmp_session']);
    for (const cookie of all) expect(cookie.split(';').map((a) => a.trim())).toContain('Secure');
  });

  it('answers /metrics only to the scraper with the token', async () => {
    await api(sut.app).get('/metrics').expect(401);
    await api(sut.app).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
    const res = await api(sut.app).get('/metrics').set('Authorization', 'Bearer production-scrape-token').expect(200);
    expect(res.text).toContain('# TYPE');
  });
});

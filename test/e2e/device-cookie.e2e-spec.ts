import request from 'supertest';
import { IP_FAILURES } from '@lmp/identity';
import { ProvisioningService } from '@lmp/tenancy';
import { RunningConsole, startConsole } from '../support/console-app';

/**
 * The device cookie spares a browser that signed in before from the per-IP sign-in limit, for a
 * year. A password change ends it: a stolen cookie must not outlive the password it came with.
 */
describe('the device cookie', () => {
  let sut: RunningConsole;
  let ipSeq = 0;
  const freshIp = () => `198.51.100.${++ipSeq}`;

  beforeAll(async () => {
    sut = await startConsole({ TRUST_PROXY: 'true' });
  });
  afterAll(() => sut.close());

  const browser = () => request.agent(sut.app.getHttpServer());
  const login = (agent: ReturnType<typeof browser>, ip: string, email: string, password: string) =>
    agent.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });

  /** Failed sign-ins from `ip` until it is blocked. */
  async function blockIp(ip: string) {
    for (let i = 0; i < IP_FAILURES.limit; i++) {
      await login(browser(), ip, `spray${i}@example.com`, 'guess').expect(401);
    }
    await login(browser(), ip, 'spray@example.com', 'guess').expect(429);
  }

  it('no longer spares the IP limit once the password changed', async () => {
    const email = 'device@lmp.example.com';
    await sut.app.get(ProvisioningService).createPlatformAdmin({ email, password: 'first passphrase' });
    const office = freshIp();
    const before = browser();
    await login(before, office, email, 'first passphrase').expect(200);

    const other = freshIp();
    const changer = browser();
    await login(changer, other, email, 'first passphrase').expect(200);
    await changer
      .post('/api/v1/me/password')
      .send({
        currentPassword: 'first passphrase',
        newPassword: 'second passphrase',
        confirmPassword: 'second passphrase',
      })
      .expect(204);
    const after = browser();
    await login(after, other, email, 'second passphrase').expect(200);

    await blockIp(office);

    // The cookie from before the change is a stranger's now; the one issued after it still counts.
    const stale = await login(before, office, email, 'second passphrase');
    expect(stale.status).toBe(429);
    await login(after, office, email, 'second passphrase').expect(200);
  });
});

import TestAgent from 'supertest/lib/agent';
import { partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';
import { RunningConsole, startConsole } from '../support/console-app';

/** Each of these once answered 500; now a 400 problem that names what is wrong, and nothing changes. */
describe('hostile input', () => {
  let sut: RunningConsole;
  let admin: TestAgent;

  beforeAll(async () => {
    sut = await startConsole();
    admin = (await partnerWithAdmin(sut.app, 'hostile')).agent;
  });
  afterAll(() => sut.close());

  it('refuses JSON nested deeper than 32 levels with 400, before validation', async () => {
    for (const body of [
      `{"companyName":"Deep","country":"GB","x":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
      `{"companyName":${'['.repeat(33)}"x"${']'.repeat(33)},"country":"GB"}`,
    ]) {
      const res = await admin.post('/api/v1/partner/customers').set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ type: '/problems/json-too-deep', status: 400 });
    }
    // Brackets inside strings are text, not nesting.
    await admin
      .post('/api/v1/partner/customers')
      .send({ companyName: `${'['.repeat(150)} Co`, country: 'GB' })
      .expect(201);
    expect((await admin.get('/api/v1/partner/customers').expect(200)).body.total).toBe(1);
    await api(sut.app).get('/health/live').expect(200);
  });
});

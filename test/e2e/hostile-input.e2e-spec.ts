import TestAgent from 'supertest/lib/agent';
import { companyWithAdmin, fieldsOf, USER_PASSWORD } from '../support/account-flow';
import { outboxCount, partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';
import { RunningConsole, startConsole } from '../support/console-app';

/** Each of these once answered 500; now a 400 problem that names what is wrong, and nothing changes. */
describe('hostile input', () => {
  let sut: RunningConsole;
  let admin: TestAgent;
  let customerId: string;

  beforeAll(async () => {
    sut = await startConsole();
    admin = (await partnerWithAdmin(sut.app, 'hostile')).agent;
    customerId = (
      await admin.post('/api/v1/partner/customers').send({ companyName: 'Hostile Co', country: 'GB' }).expect(201)
    ).body.id;
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
    expect((await admin.get('/api/v1/partner/customers').expect(200)).body.total).toBe(2);
    await api(sut.app).get('/health/live').expect(200);
  });

  /**
   * Every route that takes an address, with the field that carries it. The anonymous ones are
   * limited per IP (3 to 10 a quarter of an hour), so `throttled` asks for them once per test.
   */
  const emailRoutes = (co: Awaited<ReturnType<typeof companyWithAdmin>>, throttled: boolean) =>
    [
      ...(throttled
        ? ([
            [api(sut.app).post('/api/v1/auth/forgot-password'), 'email', {}],
            [api(sut.app).post('/api/v1/auth/resend-verification'), 'email', {}],
            [
              api(sut.app).post('/api/v1/auth/signup'),
              'email',
              { password: 'long enough passphrase', firstName: 'A', lastName: 'B', userType: 'personal' },
            ],
          ] as const)
        : []),
      [
        admin.post(`/api/v1/partner/customers/${customerId}/accounts`),
        'email',
        { firstName: 'A', lastName: 'B', role: 'read_only' },
      ],
      [co.admin.agent.post('/api/v1/company/users'), 'email', { firstName: 'A', lastName: 'B', role: 'read_only' }],
      [co.admin.agent.post('/api/v1/me/email'), 'newEmail', { password: USER_PASSWORD }],
      [co.admin.agent.post('/api/v1/me/mfa/email'), 'email', {}],
    ] as const;

  it('refuses a lone UTF-16 surrogate in an email address with 400 naming the field', async () => {
    const co = await companyWithAdmin(sut.app, 'surrogate');
    for (const address of ['a\ud800@example.com', 'ab@exa\udc00mple.com']) {
      for (const [req, field, rest] of emailRoutes(co, address.startsWith('a\ud800'))) {
        const res = await req.send({ ...rest, [field]: address });
        expect(res.status).toBe(400);
        expect(fieldsOf(res)).toEqual([field]);
      }
    }
    await sut.settle();
    expect(await outboxCount(sut.app)).toBe(0);
  });

  it('refuses control characters and bidi controls in email addresses', async () => {
    const co = await companyWithAdmin(sut.app, 'controls');
    for (const c of ['\u202e', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u2066', '\u200f']) {
      for (const [req, field, rest] of emailRoutes(co, c === '\u202e')) {
        const res = await req.send({ ...rest, [field]: `ev${c}il@example.com` });
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([{ field, message: `${field} must not contain control characters` }]);
      }
    }
    await sut.settle();
    expect(await outboxCount(sut.app)).toBe(0);
  });

  it('refuses NUL and bidi overrides in names', async () => {
    const co = await companyWithAdmin(sut.app, 'names');
    for (const c of ['\u0000', '\u202e', '\u202d', '\u2067', '\u200e']) {
      const bad = `Mal${c}lory`;
      const checks: Array<[Promise<{ status: number; body: { errors?: unknown } }>, string]> = [
        [admin.post('/api/v1/partner/customers').send({ companyName: bad, country: 'GB' }), 'companyName'],
        [admin.patch(`/api/v1/partner/customers/${customerId}`).send({ companyName: bad }), 'companyName'],
        [
          admin
            .post(`/api/v1/partner/customers/${customerId}/accounts`)
            .send({ email: 'n@example.com', firstName: bad, lastName: 'B', role: 'read_only' }),
          'firstName',
        ],
        [
          co.admin.agent
            .post('/api/v1/company/users')
            .send({ email: 'n@example.com', firstName: 'A', lastName: bad, role: 'read_only' }),
          'lastName',
        ],
        [co.admin.agent.patch('/api/v1/me/profile').send({ firstName: bad }), 'firstName'],
        [
          api(sut.app).post('/api/v1/auth/signup').send({
            email: 'n@example.com',
            password: 'long enough passphrase',
            firstName: 'A',
            lastName: 'B',
            userType: 'company',
            companyName: bad,
          }),
          'companyName',
        ],
      ];
      for (const [pending, field] of checks) {
        const res = await pending;
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([
          { field, message: `${field} must not contain control characters or bidirectional overrides` },
        ]);
      }
    }
    expect((await admin.get(`/api/v1/partner/customers/${customerId}`).expect(200)).body.companyName).toBe(
      'Hostile Co',
    );
    // Letters of any script stay welcome.
    await co.admin.agent.patch('/api/v1/me/profile').send({ firstName: 'Zoë Ŝtraße 李' }).expect(200);
  });

  it('refuses prototype keys at any depth, at sign-in and everywhere else, with 400', async () => {
    const bodies = [
      '{"email":{"constructor":1},"password":"x"}',
      '{"email":"a@b.example","password":"x","constructor":{"name":"x"}}',
      '{"email":"a@b.example","password":"x","__proto__":{"isAdmin":true}}',
      '{"email":"a@b.example","password":"x","prototype":1}',
    ];
    for (const body of bodies) {
      const login = await api(sut.app).post('/api/v1/auth/login').set('Content-Type', 'application/json').send(body);
      expect(login.status).toBe(400);
      expect(login.body).toMatchObject({ type: '/problems/validation', status: 400 });
    }
    const nested = await api(sut.app)
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(bodies[0]);
    expect(nested.body.errors).toEqual([
      { field: 'email.constructor', message: 'property constructor is not allowed' },
    ]);
    const create = await admin
      .post('/api/v1/partner/customers')
      .set('Content-Type', 'application/json')
      .send('{"companyName":"Proto Co","country":"GB","__proto__":{"status":"suspended"}}');
    expect(create.status).toBe(400);
    expect(create.body.errors).toEqual([{ field: '__proto__', message: 'property __proto__ is not allowed' }]);
    const inherited = await admin
      .post('/api/v1/partner/customers')
      .set('Content-Type', 'application/json')
      .send('{"companyName":"Proto Co","country":"GB","toString":"x","valueOf":1}');
    expect(inherited.status).toBe(400);
    expect(fieldsOf(inherited)).toEqual(['toString', 'valueOf']);
    const query = await admin.get('/api/v1/partner/customers?constructor=1');
    expect(query.status).toBe(400);
    expect(fieldsOf(query)).toEqual(['constructor']);
    expect((await admin.get('/api/v1/partner/customers?q=Proto').expect(200)).body.total).toBe(0);
  });

  it('refuses null for a boolean setting with 400 and keeps the setting', async () => {
    const res = await admin.patch('/api/v1/partner/settings').send({ requireStaffMfa: null });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'requireStaffMfa', message: 'requireStaffMfa must be true or false' }]);
    expect((await admin.get('/api/v1/partner/settings').expect(200)).body).toMatchObject({ requireStaffMfa: false });
    expect((await admin.patch('/api/v1/partner/settings').send({}).expect(200)).body).toMatchObject({
      requireStaffMfa: false,
    });
  });
});

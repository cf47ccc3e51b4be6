import request from 'supertest';
import { DataSource } from 'typeorm';
import { User } from '@lmp/database';
import { Company, companyWithAdmin, insertUser, USER_PASSWORD } from '../support/account-flow';
import { RunningConsole, startConsole } from '../support/console-app';
import { partnerWithAdmin } from '../support/fixtures';
import { api, signIn } from '../support/http';
import { mailsTo } from '../support/mail';
import { formToken } from '../support/partner-console';

const LAST_ADMIN = 'A company needs at least one Full Access user. Give another user Full Access first.';
const UNKNOWN_ID = '0f0f0f0f-0000-4000-8000-000000000009';

/** My Profile and Company users as server-rendered pages: access, CSRF, forms and tenancy. */
describe('account pages', () => {
  let sut: RunningConsole;
  let co: Company;

  beforeAll(async () => {
    sut = await startConsole();
    co = await companyWithAdmin(sut.app, 'ap');
  });
  afterAll(() => sut.close());

  const pages = () => [
    '/account/profile',
    '/account/security',
    '/account/subscriptions',
    '/company/users',
    `/company/users/${co.admin.id}/remove`,
  ];

  /** Every form post, with a body that would succeed (or be refused for another reason). */
  const forms = (): Array<[string, Record<string, string>]> => [
    ['/account/profile', { userType: 'company', firstName: 'A', lastName: 'B', phone: '', country: '', city: '' }],
    [
      '/account/security/password',
      {
        currentPassword: USER_PASSWORD,
        newPassword: 'posted new passphrase',
        confirmPassword: 'posted new passphrase',
      },
    ],
    [`/account/security/sessions/${'a'.repeat(64)}/sign-out`, {}],
    ['/account/security/sessions/sign-out-others', {}],
    ['/account/subscriptions', { newsletter: 'yes' }],
    ['/company/users', { email: 'csrf@example.com', firstName: 'C', lastName: 'S', role: 'read_only' }],
    [`/company/users/${co.admin.id}/role`, { role: 'full_access' }],
    [`/company/users/${co.admin.id}/remove`, {}],
  ];

  it('redirects anonymous visitors of each page to sign in, and back afterwards', async () => {
    for (const path of pages()) {
      const res = await api(sut.app).get(path).expect(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const visitor = request.agent(sut.app.getHttpServer());
    const token = await formToken(visitor, '/login');
    for (const [path, body] of forms()) {
      const res = await visitor
        .post(path)
        .type('form')
        .send({ ...body, _csrf: token })
        .expect(303);
      expect(res.headers.location).toBe('/login');
      await api(sut.app).post(path).type('form').send(body).expect(403);
    }
  });

  it('shows each page in the signed-in shell with the customer navigation', async () => {
    for (const path of pages()) {
      const res = await co.admin.agent.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      for (const link of ['/account/profile', '/account/security', '/account/subscriptions', '/company/users'])
        expect(res.text).toContain(`href="${link}"`);
      expect(res.text).toContain('<span class="who-role">Full Access</span>');
    }
    const home = await co.admin.agent.get('/').expect(200);
    expect(home.text).toContain('<a href="/account/profile">Profile</a>');
    expect(home.text).toContain('<a href="/company/users">Users</a>');
  });

  it('refuses every form post without the CSRF token with 403, changing nothing', async () => {
    const before = await sut.app
      .get(DataSource)
      .getRepository(User)
      .find({ order: { id: 'ASC' } });
    for (const [path, body] of forms()) {
      const res = await co.admin.agent.post(path).type('form').send(body);
      expect(res.status).toBe(403);
      expect(res.text).toContain('<h1>Forbidden</h1>');
      const wrong = await co.admin.agent
        .post(path)
        .type('form')
        .send({ ...body, _csrf: 'forged' });
      expect(wrong.status).toBe(403);
    }
    expect(
      await sut.app
        .get(DataSource)
        .getRepository(User)
        .find({ order: { id: 'ASC' } }),
    ).toEqual(before);
    await co.admin.agent.get('/account/security').expect(200);
  });

  it('edits the profile: errors next to the fields, then a notice after the redirect', async () => {
    const token = await formToken(co.admin.agent, '/account/profile');
    const bad = await co.admin.agent.post('/account/profile').type('form').send({
      _csrf: token,
      userType: 'personal',
      firstName: 'Ada',
      lastName: '',
      phone: '12345',
      country: 'DE',
      city: 'Berlin',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<p id="lastName-error" class="field-error">Enter your last name');
    expect(bad.text).toMatch(/id="lastName"[^>]*aria-invalid="true" aria-describedby="lastName-error"/);
    expect(bad.text).toContain('value="Ada"');

    const phone = await co.admin.agent.post('/account/profile').type('form').send({
      _csrf: token,
      userType: 'personal',
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '12345',
      country: 'DE',
      city: 'Berlin',
    });
    expect(phone.status).toBe(400);
    expect(phone.text).toContain(
      '<p id="phone-error" class="field-error">Enter a valid phone number, such as +14155550123.</p>',
    );
    expect(phone.text).toContain('<option value="DE" selected>Germany</option>');

    const cityOnly = await co.admin.agent
      .post('/account/profile')
      .type('form')
      .send({ _csrf: token, userType: 'personal', firstName: 'Ada', lastName: 'L', phone: '', country: '', city: 'X' });
    expect(cityOnly.status).toBe(400);
    expect(cityOnly.text).toContain('id="country-error"');

    const ok = await co.admin.agent.post('/account/profile').type('form').send({
      _csrf: token,
      userType: 'personal',
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '030 1234567',
      country: 'DE',
      city: 'Berlin',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/account/profile?done=profile-saved');
    const page = await co.admin.agent.get(ok.headers.location).expect(200);
    expect(page.text).toContain('Your profile is saved.');
    expect(page.text).toContain('value="+49301234567"');
    expect(page.text).toMatch(/value="personal" checked/);
    const api1 = await co.admin.agent.get('/api/v1/me/profile').expect(200);
    expect(api1.body).toMatchObject({ userType: 'personal', location: { country: 'DE', city: 'Berlin' } });
  });

  it('changes the password: errors next to the fields; this browser stays signed in, others end', async () => {
    const c = await companyWithAdmin(sut.app, 'apw');
    const other = await signIn(sut.app, c.admin.email, USER_PASSWORD);
    const token = await formToken(c.admin.agent, '/account/security');
    const wrong = await c.admin.agent.post('/account/security/password').type('form').send({
      _csrf: token,
      currentPassword: 'not it',
      newPassword: 'password',
      confirmPassword: 'passwort',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain(
      '<p id="currentPassword-error" class="field-error">Your current password is not correct.',
    );
    expect(wrong.text).toContain('id="newPassword-error"');
    expect(wrong.text).toContain('id="confirmPassword-error"');

    const ok = await c.admin.agent.post('/account/security/password').type('form').send({
      _csrf: token,
      currentPassword: USER_PASSWORD,
      newPassword: 'a fresh page passphrase',
      confirmPassword: 'a fresh page passphrase',
    });
    expect(ok.status).toBe(303);
    expect(([] as string[]).concat(ok.headers['set-cookie'] ?? []).some((x) => x.startsWith('lmp_session='))).toBe(
      true,
    );
    const page = await c.admin.agent.get(ok.headers.location).expect(200);
    expect(page.text).toContain('Your password is changed.');
    expect(page.text).toContain('This device');
    await other.get('/api/v1/auth/session').expect(401);
    await signIn(sut.app, c.admin.email, 'a fresh page passphrase');
  });

  it('lists sessions; signs out one, then all others', async () => {
    const c = await companyWithAdmin(sut.app, 'aps');
    const second = await signIn(sut.app, c.admin.email, USER_PASSWORD);
    const third = await signIn(sut.app, c.admin.email, USER_PASSWORD);
    const secondId = (await second.get('/api/v1/me/sessions').expect(200)).body.items.find(
      (s: { current: boolean }) => s.current,
    ).id as string;
    const page = await c.admin.agent.get('/account/security').expect(200);
    expect(page.text.match(/>This device</g)).toHaveLength(1);
    expect(page.text).toContain(`action="/account/security/sessions/${secondId}/sign-out"`);
    const token = await formToken(c.admin.agent, '/account/security');
    const one = await c.admin.agent
      .post(`/account/security/sessions/${secondId}/sign-out`)
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    expect(one.headers.location).toBe('/account/security?done=session-ended');
    await second.get('/api/v1/auth/session').expect(401);
    await c.admin.agent
      .post(`/account/security/sessions/${secondId}/sign-out`)
      .type('form')
      .send({ _csrf: token })
      .expect(404);
    await c.admin.agent
      .post('/account/security/sessions/not-a-session/sign-out')
      .type('form')
      .send({ _csrf: token })
      .expect(404);
    const others = await c.admin.agent
      .post('/account/security/sessions/sign-out-others')
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    await third.get('/api/v1/auth/session').expect(401);
    const after = await c.admin.agent.get(others.headers.location).expect(200);
    expect(after.text).toContain('Every other device is signed out.');
    expect(after.text).not.toContain('Sign out all other sessions');
  });

  it('saves email subscriptions from the checkboxes', async () => {
    const token = await formToken(co.admin.agent, '/account/subscriptions');
    await co.admin.agent
      .post('/account/subscriptions')
      .type('form')
      .send({ _csrf: token, promotions: 'yes' })
      .expect(303);
    const page = await co.admin.agent.get('/account/subscriptions').expect(200);
    expect(page.text).toMatch(/name="newsletter" value="yes">/);
    expect(page.text).toMatch(/name="promotions" value="yes" checked>/);
    expect((await co.admin.agent.get('/api/v1/me/subscriptions').expect(200)).body).toMatchObject({
      newsletter: false,
      promotions: true,
    });
  });

  it('adds a company user with an invitation; a taken email is an error next to the field', async () => {
    const token = await formToken(co.admin.agent, '/company/users');
    const taken = await co.admin.agent
      .post('/company/users')
      .type('form')
      .send({ _csrf: token, email: co.admin.email, firstName: 'Dup', lastName: 'User', role: 'read_only' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain(
      '<p id="email-error" class="field-error">This email address already has an account.</p>',
    );
    const bad = await co.admin.agent
      .post('/company/users')
      .type('form')
      .send({ _csrf: token, email: 'nope', firstName: '', lastName: 'User', role: 'boss' });
    expect(bad.status).toBe(400);
    for (const id of ['email-error', 'firstName-error', 'role-error']) expect(bad.text).toContain(`id="${id}"`);

    const email = `invitee@${co.customerId.slice(0, 8)}.example.com`;
    const ok = await co.admin.agent
      .post('/company/users')
      .type('form')
      .send({ _csrf: token, email, firstName: 'Ivy', lastName: 'Invitee', role: 'read_only' })
      .expect(303);
    const page = await co.admin.agent.get(ok.headers.location).expect(200);
    expect(page.text).toContain(`An invitation to set a password was emailed to ${email}.`);
    expect(page.text).toContain('<span class="badge badge-blue">Invited</span>');
    await sut.settle();
    expect(await mailsTo(sut.dataDir, email, 'You have been invited to LMP')).toHaveLength(1);
  });

  it('shows the 409 for the last Full Access user, on role change and on removal', async () => {
    const c = await companyWithAdmin(sut.app, 'apl');
    const token = await formToken(c.admin.agent, '/company/users');
    const demote = await c.admin.agent
      .post(`/company/users/${c.admin.id}/role`)
      .type('form')
      .send({ _csrf: token, role: 'read_only' });
    expect(demote.status).toBe(409);
    expect(demote.text).toContain(`<p class="alert alert-error" role="alert">${LAST_ADMIN}</p>`);
    const confirm = await c.admin.agent.get(`/company/users/${c.admin.id}/remove`).expect(200);
    expect(confirm.text).toContain('Remove user');
    const remove = await c.admin.agent.post(`/company/users/${c.admin.id}/remove`).type('form').send({ _csrf: token });
    expect(remove.status).toBe(409);
    expect(remove.text).toContain(LAST_ADMIN);
  });

  it('changes a role and removes a user after the confirmation step', async () => {
    const c = await companyWithAdmin(sut.app, 'apr');
    const reader = await insertUser(sut.app, c.customerId, `reader-${c.admin.email}`, 'read_only');
    const token = await formToken(c.admin.agent, '/company/users');
    const changed = await c.admin.agent
      .post(`/company/users/${reader.id}/role`)
      .type('form')
      .send({ _csrf: token, role: 'full_access' })
      .expect(303);
    expect((await c.admin.agent.get(changed.headers.location).expect(200)).text).toContain('Role changed.');
    const confirm = await c.admin.agent.get(`/company/users/${reader.id}/remove`).expect(200);
    expect(confirm.text).toContain(`action="/company/users/${reader.id}/remove"`);
    const removed = await c.admin.agent
      .post(`/company/users/${reader.id}/remove`)
      .type('form')
      .send({ _csrf: token })
      .expect(303);
    const page = await c.admin.agent.get(removed.headers.location).expect(200);
    expect(page.text).toContain('User removed.');
    expect(page.text).not.toContain(reader.email);
  });

  it("answers 404 pages for another company's user ids, as for unknown ones", async () => {
    const other = await companyWithAdmin(sut.app, 'apx');
    const token = await formToken(co.admin.agent, '/company/users');
    for (const id of [other.admin.id, UNKNOWN_ID, 'not-an-id']) {
      const page = await co.admin.agent.get(`/company/users/${id}/remove`).expect(404);
      expect(page.text).toContain('<h1>Not Found</h1>');
      await co.admin.agent
        .post(`/company/users/${id}/role`)
        .type('form')
        .send({ _csrf: token, role: 'read_only' })
        .expect(404);
      await co.admin.agent.post(`/company/users/${id}/remove`).type('form').send({ _csrf: token }).expect(404);
    }
    await other.admin.agent.get('/api/v1/auth/session').expect(200);
    expect((await other.admin.agent.get('/api/v1/company/users').expect(200)).body.items[0].role).toBe('full_access');
  });

  it('shows read-only users the list without controls, and refuses their posts', async () => {
    const reader = await insertUser(sut.app, co.customerId, `ro-${co.admin.email}`, 'read_only');
    const agent = await signIn(sut.app, reader.email, USER_PASSWORD);
    const page = await agent.get('/company/users').expect(200);
    expect(page.text).toContain(co.admin.email);
    for (const control of ['Add user', 'action="/company/users', '/remove"', '<select'])
      expect(page.text).not.toContain(control);
    const token = await formToken(agent, '/company/users');
    await agent
      .post(`/company/users/${co.admin.id}/role`)
      .type('form')
      .send({ _csrf: token, role: 'read_only' })
      .expect(403);
    await agent.get(`/company/users/${co.admin.id}/remove`).expect(403);
  });

  it('gives partner staff a 403 page for company users, and their own account pages', async () => {
    const { agent } = await partnerWithAdmin(sut.app);
    const res = await agent.get('/company/users').expect(403);
    expect(res.text).toContain('<h1>Forbidden</h1>');
    const profile = await agent.get('/account/profile').expect(200);
    expect(profile.text).toContain('<a href="/partner/customers">Customers</a>');
    expect(profile.text).not.toContain('href="/company/users"');
    const token = await formToken(agent, '/account/subscriptions');
    await agent.post('/account/subscriptions').type('form').send({ _csrf: token, newsletter: 'yes' }).expect(303);
  });
});

import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { AuditEvent, Customer, License, User } from '@lmp/database';
import { PasswordHasher } from '@lmp/identity';
import { outboxCount } from '../support/fixtures';
import { api, signIn } from '../support/http';
import { mailsTo } from '../support/mail';
import { RunningConsole, startConsole } from '../support/console-app';
import { formToken, supportUser, Tenant, tenantWithData } from '../support/partner-console';

type Ids = Pick<Tenant, 'customerId' | 'accountId' | 'licenseId'>;
type Route = (t: Ids) => string;

const c = (t: Ids) => `/partner/customers/${t.customerId}`;
const a = (t: Ids) => `${c(t)}/accounts/${t.accountId}`;

/** Every console page, and which ones are for partner_admin only. */
const PAGES: Array<[name: string, path: Route, adminOnly: boolean]> = [
  ['customers', () => '/partner/customers', false],
  ['new customer', () => '/partner/customers/new', true],
  ['customer, accounts tab', c, false],
  ['customer, licenses tab', (t) => `${c(t)}?tab=licenses`, false],
  ['edit customer', (t) => `${c(t)}/edit`, true],
  ['new account', (t) => `${c(t)}/accounts/new`, true],
  ['account', a, false],
  ['edit account', (t) => `${a(t)}/edit`, true],
  ['reset notice', (t) => `${a(t)}/reset-password/confirm`, false],
  ['two-factor turn-off notice', (t) => `${a(t)}/two-factor/turn-off`, true],
  ['new license', (t) => `${c(t)}/licenses/new`, true],
  ['edit license', (t) => `${c(t)}/licenses/${t.licenseId}/edit`, true],
  ['audit', () => '/partner/audit', false],
  ['audit of one customer', (t) => `/partner/audit?customerId=${t.customerId}`, false],
  ['settings', () => '/partner/settings', false],
];

/** Every form post, with a body that would succeed. */
const FORMS: Array<[name: string, path: Route, body: Record<string, string>, adminOnly: boolean]> = [
  ['add customer', () => '/partner/customers', { companyName: 'Posted Co', country: 'GB' }, true],
  ['edit customer', c, { companyName: 'Posted Co', country: 'GB', status: 'active' }, true],
  [
    'add account',
    (t) => `${c(t)}/accounts`,
    { email: 'posted@example.com', firstName: 'P', lastName: 'Q', role: 'read_only' },
    true,
  ],
  ['edit account', a, { firstName: 'P', lastName: 'Q', role: 'read_only', status: 'active' }, true],
  ['reset password', (t) => `${a(t)}/reset-password`, {}, false],
  ['turn two-factor off', (t) => `${a(t)}/two-factor/turn-off`, {}, true],
  ['save settings', () => '/partner/settings', { requireStaffMfa: 'on' }, true],
  [
    'add license',
    (t) => `${c(t)}/licenses`,
    { product: 'P', seats: '3', startsAt: '2026-01-01', expiresAt: '2027-01-01' },
    true,
  ],
  [
    'edit license',
    (t) => `${c(t)}/licenses/${t.licenseId}`,
    { product: 'P', seats: '3', startsAt: '2026-01-01', expiresAt: '2027-01-01', status: 'active' },
    true,
  ],
];

/** Handlebars writes `=` and `&` in attributes as entities; a browser reads them back. */
const decoded = (html: string) => html.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');

const UNKNOWN: Ids = {
  customerId: '0f0f0f0f-0000-4000-8000-000000000001',
  accountId: '0f0f0f0f-0000-4000-8000-000000000002',
  licenseId: '0f0f0f0f-0000-4000-8000-000000000003',
};

/** The partner console pages through HTTP: access, tenancy, CSRF, roles and forms. */
describe('partner console pages', () => {
  let sut: RunningConsole;
  let alpha: Tenant;
  let bravo: Tenant;
  let support: TestAgent;

  beforeAll(async () => {
    sut = await startConsole();
    alpha = await tenantWithData(sut.app, 'alphapages');
    bravo = await tenantWithData(sut.app, 'bravopages');
    support = await supportUser(sut.app, alpha.partnerId, 'support@alphapages.example.com');
    await sut.settle();
  });
  afterAll(() => sut.close());

  /** Rows that a refused request must leave alone. */
  async function snapshot() {
    const ds = sut.app.get(DataSource);
    await sut.settle();
    return {
      outbox: await outboxCount(sut.app),
      audit: await ds.getRepository(AuditEvent).count(),
      customers: await ds.getRepository(Customer).find({ order: { id: 'ASC' } }),
      users: await ds.getRepository(User).find({ order: { id: 'ASC' } }),
      licenses: await ds.getRepository(License).find({ order: { id: 'ASC' } }),
    };
  }

  describe('without a session', () => {
    it.each(PAGES)('%s redirects to sign-in, and back afterwards', async (_name, path) => {
      const target = path(alpha);
      const res = await api(sut.app).get(target).expect(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(target)}`);
    });

    it('sends form posts to sign in, and refuses them without a token, changing nothing', async () => {
      const before = await snapshot();
      const visitor = request.agent(sut.app.getHttpServer());
      const token = await formToken(visitor, '/login');
      for (const [, path, body] of FORMS) {
        const res = await visitor
          .post(path(alpha))
          .type('form')
          .send({ ...body, _csrf: token })
          .expect(303);
        expect(res.headers.location).toBe('/login');
        await api(sut.app).post(path(alpha)).type('form').send(body).expect(403);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('signs in on the form and lands on the page asked for', async () => {
      const agent = api(sut.app);
      const form = await agent.get(`/login?next=${encodeURIComponent(c(alpha))}`).expect(200);
      const cookie = ([] as string[]).concat(form.headers['set-cookie'] ?? []).map((x) => x.split(';')[0]);
      const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
      const res = await api(sut.app)
        .post('/login')
        .set('Cookie', cookie)
        .type('form')
        .send({
          _csrf: token,
          next: c(alpha),
          email: 'admin@alphapages.example.com',
          password: 'partner admin passphrase',
        })
        .expect(303);
      expect(res.headers.location).toBe(c(alpha));
    });
  });

  describe('for a partner admin', () => {
    it.each(PAGES)('%s is an HTML page in the console shell, with security headers', async (_name, path) => {
      const res = await alpha.admin.get(path(alpha)).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.text).toContain('<nav class="mainnav" aria-label="Main">');
      expect(res.text).toMatch(/<form method="post" action="\/logout"[^>]*>\s*<input type="hidden" name="_csrf"/);
      expect(res.text).toContain('<span class="who-role">Partner admin</span>');
    });

    it.each(PAGES)('%s answers 404 for the other partner’s ids, as for unknown ones', async (_name, path) => {
      if (!path(bravo).includes(bravo.customerId)) return; // a page without ids
      for (const ids of [bravo, UNKNOWN, { ...alpha, accountId: bravo.accountId, licenseId: bravo.licenseId }]) {
        if (path(ids) === path(alpha)) continue; // the page names no account or license
        const res = await alpha.admin.get(path(ids)).expect(404);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain('<h1>Not Found</h1>');
        expect(res.text).not.toContain('bravopages');
      }
    });

    it('answers 404 for malformed ids', async () => {
      for (const path of [
        '/partner/customers/not-an-id',
        `${c(alpha)}/accounts/1%20OR%201=1`,
        `${c(alpha)}/licenses/x/edit`,
        '/partner/audit?customerId=nope',
      ]) {
        await alpha.admin.get(path).expect(404);
      }
    });

    it.each(FORMS)('%s with the other partner’s ids answers 404 and changes nothing', async (_name, path, body) => {
      if (!path(bravo).includes(bravo.customerId)) return; // creates a customer: no ids to cross
      const token = await formToken(alpha.admin, '/partner/customers');
      const before = await snapshot();
      for (const ids of [bravo, UNKNOWN, { ...alpha, accountId: bravo.accountId, licenseId: bravo.licenseId }]) {
        if (path(ids) === path(alpha)) continue;
        const res = await alpha.admin
          .post(path(ids))
          .type('form')
          .send({ ...body, _csrf: token });
        expect(res.status).toBe(404);
      }
      expect(await snapshot()).toEqual(before);
    });

    it.each(FORMS)('%s without a CSRF token answers 403 and changes nothing', async (_name, path, body) => {
      const good = await formToken(alpha.admin, '/partner/customers');
      const before = await snapshot();
      for (const token of [undefined, '', 'forged', `${good.slice(0, -2)}xx`]) {
        const res = await alpha.admin
          .post(path(alpha))
          .type('form')
          .send(token === undefined ? body : { ...body, _csrf: token });
        expect(res.status).toBe(403);
        expect(res.text).toContain('The form expired. Reload the page and try again.');
      }
      // The token is bound to the browser's cookie: another browser's token does not pass.
      const otherToken = await formToken(support, '/partner/customers');
      const res = await alpha.admin
        .post(path(alpha))
        .type('form')
        .send({ ...body, _csrf: otherToken });
      expect(res.status).toBe(403);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('for a partner_support user', () => {
    it('shows no edit controls', async () => {
      const pages = await Promise.all(
        PAGES.filter(([, , adminOnly]) => !adminOnly).map(([, p]) => support.get(p(alpha))),
      );
      for (const res of pages) {
        expect(res.status).toBe(200);
        expect(res.text).toContain('Partner support');
        for (const control of [
          'Add customer',
          'Edit customer',
          'Add account',
          'Edit account',
          'Add license',
          '/edit"',
        ]) {
          expect(res.text).not.toContain(control);
        }
      }
      const account = await support.get(a(alpha)).expect(200);
      expect(account.text).toContain('Reset password');
    });

    it.each(PAGES.filter(([, , adminOnly]) => adminOnly))('%s answers 403', async (_name, path) => {
      const res = await support.get(path(alpha)).expect(403);
      expect(res.text).toContain('<h1>Forbidden</h1>');
    });

    it.each(FORMS.filter(([, , , adminOnly]) => adminOnly))(
      '%s answers 403 even with a valid form, changing nothing',
      async (_name, path, body) => {
        const token = await formToken(support, '/partner/customers');
        const before = await snapshot();
        const res = await support
          .post(path(alpha))
          .type('form')
          .send({ ...body, _csrf: token });
        expect(res.status).toBe(403);
        expect(await snapshot()).toEqual(before);
      },
    );

    it('resets a password from the notice: OK posts, and the account page confirms', async () => {
      const token = await formToken(support, `${a(alpha)}/reset-password/confirm`);
      const res = await support
        .post(`${a(alpha)}/reset-password`)
        .type('form')
        .send({ _csrf: token })
        .expect(303);
      expect(res.headers.location).toMatch(new RegExp(`^${a(alpha)}\\?reset=[0-9a-f-]{36}$`));
      const page = await support.get(res.headers.location).expect(200);
      expect(page.text).toContain(
        'Password reset requested. An email with a reset link is on its way to user@alphapages-customer.example.com.',
      );
      expect(page.text).toContain('support@alphapages.example.com');
    });
  });

  it('keeps customer users out with a 403 page', async () => {
    await sut.app
      .get(DataSource)
      .getRepository(User)
      .update(
        { id: alpha.accountId },
        { passwordHash: await sut.app.get(PasswordHasher).hash('customer pass phrase 1'), status: 'active' },
      );
    const customer = await signIn(sut.app, 'user@alphapages-customer.example.com', 'customer pass phrase 1');
    const res = await customer.get('/partner/customers').expect(403);
    expect(res.text).toContain('<h1>Forbidden</h1>');
  });
});

/** The forms: errors next to the fields, values kept, and the change visible after the redirect. */
describe('partner console forms', () => {
  let sut: RunningConsole;
  let t: Tenant;

  beforeAll(async () => {
    sut = await startConsole();
    t = await tenantWithData(sut.app, 'forms');
  });
  afterAll(() => sut.close());

  /** Posts a form as the browser would: with the token of the page it came from. */
  const post = async (path: string, body: Record<string, string>) => {
    const token = await formToken(t.admin, '/partner/customers');
    return t.admin
      .post(path)
      .type('form')
      .send({ ...body, _csrf: token });
  };

  it('adds a customer, shows errors next to the fields, and escapes what it shows', async () => {
    const bad = await post('/partner/customers', { companyName: '<script>x</script>', country: 'Britain' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('value="&lt;script&gt;x&lt;/script&gt;"');
    expect(bad.text).not.toContain('<script>x');
    expect(bad.text).toMatch(/id="country"[^>]*aria-invalid="true" aria-describedby="country-error country-hint"/);
    expect(bad.text).toContain('<p id="country-error" class="field-error">Enter a two-letter country code');
    expect(bad.text).toContain('<a href="#country">');

    const ok = await post('/partner/customers', { companyName: 'Form <Co>', country: 'nl' });
    expect(ok.status).toBe(303);
    const page = await t.admin.get(ok.headers.location).expect(200);
    expect(page.text).toContain('Customer created.');
    expect(page.text).toContain('<h1>Form &lt;Co&gt;</h1>');
    expect(page.text).toContain('Netherlands (NL)');
  });

  it('edits a customer, and the list shows it', async () => {
    const bad = await post(c(t), { companyName: '', country: 'FR', status: 'gone' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="companyName-error"');
    expect(bad.text).toContain('id="status-error"');
    const ok = await post(c(t), { companyName: 'Forms Renamed', country: 'FR', status: 'suspended' });
    expect(ok.headers.location).toBe(`${c(t)}?done=customer-saved`);
    const list = await t.admin.get('/partner/customers?q=renamed').expect(200);
    expect(list.text).toContain('>Forms Renamed</a>');
    expect(list.text).toContain('<span class="badge badge-red">Suspended</span>');
  });

  it('adds an account and sends the invitation; a taken email is an error next to the field', async () => {
    const taken = await post(`${c(t)}/accounts`, {
      email: 'USER@forms-customer.example.com',
      firstName: 'Dup',
      lastName: 'Licate',
      role: 'read_only',
    });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain(
      '<p id="email-error" class="field-error">This email address already has an account.</p>',
    );
    expect(taken.text).toContain('value="Dup"');

    const ok = await post(`${c(t)}/accounts`, {
      email: 'New.Person@forms-customer.example.com',
      firstName: 'New',
      lastName: 'Person',
      role: 'full_access',
    });
    expect(ok.status).toBe(303);
    const page = await t.admin.get(ok.headers.location).expect(200);
    expect(page.text).toContain(
      'Account created. An invitation to set a password was emailed to new.person@forms-customer.example.com.',
    );
    expect(page.text).toContain('<span class="badge badge-blue">Invited</span>');
    await sut.settle();
    expect(
      await mailsTo(sut.dataDir, 'new.person@forms-customer.example.com', 'You have been invited to LMP'),
    ).toHaveLength(1);
  });

  it('edits an account: role and status', async () => {
    const ok = await post(a(t), { firstName: 'Una', lastName: 'Forms', role: 'read_only', status: 'disabled' });
    expect(ok.status).toBe(303);
    const page = await t.admin.get(ok.headers.location).expect(200);
    expect(page.text).toContain('Account saved.');
    expect(page.text).toContain('<h1>Una Forms</h1>');
    expect(page.text).toContain('This account is disabled, so its password cannot be reset.');
    expect(page.text).not.toContain('>Reset password</a>');
    await post(a(t), { firstName: 'Una', lastName: 'Forms', role: 'read_only', status: 'active' });
  });

  it('adds and edits licenses with the API’s rules, the errors worded for the form', async () => {
    const bad = await post(`${c(t)}/licenses`, { product: '', seats: 'many', startsAt: '2026-13-45', expiresAt: '' });
    expect(bad.status).toBe(400);
    for (const id of ['product-error', 'seats-error', 'startsAt-error', 'expiresAt-error'])
      expect(bad.text).toContain(id);
    expect(bad.text).toContain('4 fields need your attention');

    const order = await post(`${c(t)}/licenses`, {
      product: 'Order',
      seats: '2',
      startsAt: '2027-01-01',
      expiresAt: '2026-01-01',
    });
    expect(order.status).toBe(400);
    expect(order.text).toContain('The expiry date must be after the start date.');
    expect(order.text).toContain('value="2027-01-01"');

    const ok = await post(`${c(t)}/licenses`, {
      product: 'Form Suite',
      seats: '12',
      startsAt: '2020-01-01',
      expiresAt: '2021-01-01',
    });
    expect(ok.headers.location).toBe(`${c(t)}?tab=licenses&done=license-added`);
    const tab = await t.admin.get(ok.headers.location).expect(200);
    expect(tab.text).toContain('License added.');
    expect(tab.text).toMatch(/Form Suite<\/th>\s*<td class="num">12<\/td>/);
    expect(tab.text).toContain('<span class="badge badge-red">Expired</span>');

    const edit = await post(`${c(t)}/licenses/${t.licenseId}`, {
      product: 'Suite Plus',
      seats: '0',
      startsAt: '2026-01-01',
      expiresAt: '2036-01-01',
      status: 'active',
    });
    expect(edit.status).toBe(400);
    expect(edit.text).toContain('Enter a whole number of seats, at least 1.');
    const saved = await post(`${c(t)}/licenses/${t.licenseId}`, {
      product: 'Suite Plus',
      seats: '7',
      startsAt: '2026-01-01',
      expiresAt: '2036-01-01',
      status: 'suspended',
    });
    expect(saved.headers.location).toBe(`${c(t)}?tab=licenses&done=license-saved`);
    const license = await t.admin.get(`/api/v1/partner/customers/${t.customerId}/licenses/${t.licenseId}`).expect(200);
    expect(license.body).toMatchObject({ product: 'Suite Plus', seats: 7, status: 'suspended' });
  });

  it('lists customers with search, sorting, pages and an empty state', async () => {
    for (let i = 0; i < 26; i++) {
      await t.admin
        .post('/api/v1/partner/customers')
        .send({ companyName: `Bulk ${String(i).padStart(2, '0')}`, country: 'SE' });
    }
    const first = await t.admin
      .get('/partner/customers')
      .expect(200)
      .then((r) => ({ text: decoded(r.text) }));
    expect(first.text).toContain('Showing 1–25 of 28');
    expect(first.text).toContain('<a href="/partner/customers?page=2" rel="next">');
    expect(first.text).toContain(
      '<th scope="col" aria-sort="ascending"><a class="sort" href="/partner/customers?sort=-companyName">',
    );
    const second = await t.admin.get('/partner/customers?page=2').expect(200);
    expect(second.text).toContain('Showing 26–28 of 28');
    const desc = await t.admin
      .get('/partner/customers?sort=-companyName&q=bulk')
      .expect(200)
      .then((r) => ({ text: decoded(r.text) }));
    expect(desc.text).toContain('aria-sort="descending"');
    expect(desc.text.indexOf('Bulk 25')).toBeLessThan(desc.text.indexOf('Bulk 01'));
    expect(desc.text).not.toContain('Bulk 00'); // on page 2
    expect(desc.text).toContain('<input type="hidden" name="sort" value="-companyName">');

    const byEmail = await t.admin.get('/partner/customers?q=new.person@').expect(200);
    expect(byEmail.text).toContain('>Forms Renamed</a>');
    expect(byEmail.text).toContain('Showing 1–1 of 1');

    const none = await t.admin.get('/partner/customers?q=%3Cnothing%3E').expect(200);
    expect(none.text).toContain('No customers match “&lt;nothing&gt;”');
    const junk = await t.admin.get('/partner/customers?page=abc&sort=drop').expect(200);
    expect(junk.text).toContain('Showing 1–25 of 28');
  });

  it('shows the audit trail with people’s emails, filtered by customer and action', async () => {
    const all = await t.admin.get('/partner/audit').expect(200);
    expect(all.text).toContain('Account changed');
    expect(all.text).toContain('admin@forms.example.com');
    const filtered = await t.admin
      .get(`/partner/audit?customerId=${t.customerId}&action=account.password_reset.requested`)
      .expect(200);
    expect(filtered.text).toContain('Customer: <a href="/partner/customers/');
    expect(filtered.text).toContain('<option value="account.password_reset.requested" selected>');
    expect(filtered.text.match(/<tr>/g)).toHaveLength(2); // the header and one event
    expect(filtered.text).toContain('user@forms-customer.example.com');
    const unknownAction = await t.admin.get('/partner/audit?action=drop%20table').expect(200);
    expect(unknownAction.text).toContain('Showing 1–25');
  });
});

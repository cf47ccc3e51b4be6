import TestAgent from 'supertest/lib/agent';
import { ProvisioningService } from '@lmp/tenancy';
import { linkIn, mailsTo, tokenOf } from '../support/mail';
import { api, signIn } from '../support/http';
import { RunningConsole, startConsole } from '../support/console-app';
import { supportUser, Tenant, tenantWithData } from '../support/partner-console';

const DAY = 86_400_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
/** The fields a 400 names, each once (a field may break several rules). */
const fields = (body: { errors?: Array<{ field: string }> }) =>
  [...new Set((body.errors ?? []).map((e) => e.field))].sort();

/** Editing customers, accounts and licenses through the API: rules, roles and the audit trail. */
describe('partner edits (API)', () => {
  let sut: RunningConsole;
  let t: Tenant;
  let support: TestAgent;

  beforeAll(async () => {
    sut = await startConsole();
    t = await tenantWithData(sut.app, 'edits');
    support = await supportUser(sut.app, t.partnerId, 'support@edits.example.com');
    await sut.settle();
  });
  afterAll(() => sut.close());

  const customerUrl = () => `/api/v1/partner/customers/${t.customerId}`;
  const accountUrl = () => `${customerUrl()}/accounts/${t.accountId}`;
  const licenseUrl = () => `${customerUrl()}/licenses/${t.licenseId}`;

  /** The newest reset email of the tenant's account. */
  async function newestReset() {
    await sut.settle();
    const mails = await mailsTo(sut.dataDir, 'user@edits-customer.example.com', 'Reset your password');
    return mails.sort((a, b) => a.date - b.date)[mails.length - 1];
  }

  async function auditOf(action: string) {
    const res = await t.admin.get(`/api/v1/partner/audit?action=${action}&pageSize=100`).expect(200);
    return res.body.items as Array<Record<string, unknown>>;
  }

  describe('customers', () => {
    it('renames, moves and suspends a customer, and audits what changed', async () => {
      const res = await t.admin
        .patch(customerUrl())
        .send({ companyName: '  Edits Renamed Ltd ', country: 'de', status: 'suspended' })
        .expect(200);
      expect(res.body).toMatchObject({
        id: t.customerId,
        companyName: 'Edits Renamed Ltd',
        country: 'DE',
        status: 'suspended',
        accountCount: 1,
        licenseCount: 1,
      });
      await t.admin.patch(customerUrl()).send({ status: 'active' }).expect(200);
      const events = await auditOf('customer.changed');
      expect(events).toHaveLength(2);
      const first = events.find((e) => (e.detail as { status: string }).status === 'suspended');
      expect(first).toMatchObject({
        customerId: t.customerId,
        customerName: 'Edits Renamed Ltd',
        actorEmail: 'admin@edits.example.com',
        detail: { companyName: 'Edits Renamed Ltd', country: 'DE', status: 'suspended' },
      });
      expect(events.map((e) => e.detail)).toContainEqual({ status: 'active' });
    });

    it('writes no audit event when nothing changes', async () => {
      const before = (await auditOf('customer.changed')).length;
      await t.admin.patch(customerUrl()).send({}).expect(200);
      await t.admin.patch(customerUrl()).send({ country: 'DE' }).expect(200);
      expect(await auditOf('customer.changed')).toHaveLength(before);
    });

    it('answers invalid fields with 400 and one error per field, changing nothing', async () => {
      const res = await t.admin
        .patch(customerUrl())
        .send({ companyName: '   ', country: 'DEU', status: 'closed', partnerId: 'x' })
        .expect(400);
      expect(res.body).toMatchObject({ type: '/problems/validation', status: 400 });
      expect(fields(res.body)).toEqual(['companyName', 'country', 'partnerId', 'status']);
      const nulls = await t.admin.patch(customerUrl()).send({ companyName: null }).expect(400);
      expect(fields(nulls.body)).toEqual(['companyName']);
      expect((await t.admin.get(customerUrl()).expect(200)).body.companyName).toBe('Edits Renamed Ltd');
    });
  });

  describe('accounts', () => {
    it('changes names and role, and audits it against the account', async () => {
      const res = await t.admin
        .patch(accountUrl())
        .send({ firstName: 'Ulla', lastName: 'Berg', role: 'read_only' })
        .expect(200);
      expect(res.body).toMatchObject({ id: t.accountId, firstName: 'Ulla', lastName: 'Berg', role: 'read_only' });
      expect(res.body.resetRequests).toHaveLength(1);
      const [event] = await auditOf('account.changed');
      expect(event).toMatchObject({
        targetUserId: t.accountId,
        targetEmail: 'user@edits-customer.example.com',
        detail: { firstName: 'Ulla', lastName: 'Berg', role: 'read_only' },
      });
    });

    it('keeps an invited account invited when it is enabled again', async () => {
      await t.admin.patch(accountUrl()).send({ status: 'disabled' }).expect(200);
      const res = await t.admin.patch(accountUrl()).send({ status: 'active' }).expect(200);
      expect(res.body.status).toBe('invited');
    });

    it('signs a disabled account out at once and refuses to reset its password (409)', async () => {
      await t.admin.post(`${accountUrl()}/password-reset`).expect(202);
      const reset = await newestReset();
      await api(sut.app)
        .post('/api/v1/auth/reset-password')
        .send({ token: tokenOf(linkIn(reset, '/reset-password')), password: 'violet tractor harbour 9' })
        .expect(200);
      const customer = await signIn(sut.app, 'user@edits-customer.example.com', 'violet tractor harbour 9');
      await customer.get('/api/v1/auth/session').expect(200);

      const res = await t.admin.patch(accountUrl()).send({ status: 'disabled' }).expect(200);
      expect(res.body.status).toBe('disabled');
      await customer.get('/api/v1/auth/session').expect(401);
      await t.admin.post(`${accountUrl()}/password-reset`).expect(409);

      const enabled = await t.admin.patch(accountUrl()).send({ status: 'active' }).expect(200);
      expect(enabled.body.status).toBe('active');
      await signIn(sut.app, 'user@edits-customer.example.com', 'violet tractor harbour 9');
    });

    it('voids the links sent before an account was disabled: enabling it again does not revive them', async () => {
      await t.admin.post(`${accountUrl()}/password-reset`).expect(202);
      const token = tokenOf(linkIn(await newestReset(), '/reset-password'));
      await t.admin.patch(accountUrl()).send({ status: 'disabled' }).expect(200);
      await t.admin.patch(accountUrl()).send({ status: 'active' }).expect(200);
      const res = await api(sut.app)
        .post('/api/v1/auth/reset-password')
        .send({ token, password: 'a revived link passphrase' })
        .expect(400);
      expect(res.body.type).toBe('/problems/invalid-token');
      await signIn(sut.app, 'user@edits-customer.example.com', 'violet tractor harbour 9');
    });

    it('answers invalid fields with 400, and never changes the email', async () => {
      const res = await t.admin
        .patch(accountUrl())
        .send({ firstName: '', role: 'partner_admin', status: 'invited', email: 'new@example.com' })
        .expect(400);
      expect(fields(res.body)).toEqual(['email', 'firstName', 'role', 'status']);
      expect((await t.admin.get(accountUrl()).expect(200)).body).toMatchObject({
        email: 'user@edits-customer.example.com',
        firstName: 'Ulla',
        role: 'read_only',
      });
    });
  });

  describe('licenses', () => {
    it('changes seats and dates, and audits the changed values', async () => {
      const res = await t.admin.patch(licenseUrl()).send({ seats: 40, expiresAt: '2035-06-30T00:00:00Z' }).expect(200);
      expect(res.body).toEqual({
        id: t.licenseId,
        product: 'Suite',
        seats: 40,
        startsAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2035-06-30T00:00:00.000Z',
        status: 'active',
        graceEndsAt: null,
      });
      expect((await t.admin.get(licenseUrl()).expect(200)).body).toEqual(res.body);
      const [event] = await auditOf('license.changed');
      expect(event).toMatchObject({
        customerId: t.customerId,
        detail: { licenseId: t.licenseId, seats: 40, expiresAt: '2035-06-30T00:00:00.000Z' },
      });
    });

    it('checks the expiry against the stored start when only one date changes', async () => {
      const res = await t.admin.patch(licenseUrl()).send({ expiresAt: '2025-12-31T00:00:00Z' }).expect(400);
      expect(res.body.errors).toEqual([{ field: 'expiresAt', message: 'must be after startsAt' }]);
      const start = await t.admin.patch(licenseUrl()).send({ startsAt: '2035-06-30T00:00:00Z' }).expect(400);
      expect(fields(start.body)).toEqual(['expiresAt']);
    });

    it('refuses fewer than one seat, non-dates, nulls and unknown statuses', async () => {
      const res = await t.admin
        .patch(licenseUrl())
        .send({ seats: 0, startsAt: 'soon', expiresAt: null, status: 'expired', product: '' })
        .expect(400);
      expect(fields(res.body)).toEqual(['expiresAt', 'product', 'seats', 'startsAt', 'status']);
      expect((await t.admin.get(licenseUrl()).expect(200)).body.seats).toBe(40);
    });

    it('refuses days that do not exist instead of rolling them over', async () => {
      const before = (await t.admin.get(licenseUrl()).expect(200)).body;
      for (const expiresAt of [
        '2037-02-30',
        '2037-02-29T00:00:00Z',
        '2037-13-01',
        '2037-04-31T10:00:00+02:00',
        12345,
      ]) {
        const res = await t.admin.patch(licenseUrl()).send({ expiresAt }).expect(400);
        expect(res.body.errors).toEqual([{ field: 'expiresAt', message: 'expiresAt must be an ISO 8601 date' }]);
      }
      expect((await t.admin.get(licenseUrl()).expect(200)).body).toEqual(before);
      // Leap days and offsets are fine.
      const ok = await t.admin.patch(licenseUrl()).send({ expiresAt: '2036-02-29T12:00:00+02:00' }).expect(200);
      expect(ok.body.expiresAt).toBe('2036-02-29T10:00:00.000Z');
    });

    it('derives the status from the dates, with "suspended" set by hand winning', async () => {
      const create = (startsAt: string, expiresAt: string) =>
        t.admin
          .post(`${customerUrl()}/licenses`)
          .send({ product: 'Derived', seats: 1, startsAt, expiresAt })
          .expect(201)
          .then((r) => r.body as { id: string; status: string });
      expect((await create(iso(-DAY), iso(10 * DAY))).status).toBe('expiring');
      expect((await create(iso(-DAY), iso(60 * DAY))).status).toBe('active');
      expect((await create(iso(-60 * DAY), iso(-DAY))).status).toBe('expired');
      expect((await create(iso(DAY), iso(400 * DAY))).status).toBe('scheduled');

      const suspended = await t.admin.patch(licenseUrl()).send({ status: 'suspended' }).expect(200);
      expect(suspended.body.status).toBe('suspended');
      const back = await t.admin.patch(licenseUrl()).send({ status: 'active' }).expect(200);
      expect(back.body.status).toBe('active');
      const list = await t.admin.get(`${customerUrl()}/licenses`).expect(200);
      expect((list.body.items as Array<{ status: string }>).map((l) => l.status).sort()).toEqual([
        'active',
        'active',
        'expired',
        'expiring',
        'scheduled',
      ]);
    });

    it('uses LICENSE_EXPIRING_DAYS for the expiring window', async () => {
      const other = await startConsole({ LICENSE_EXPIRING_DAYS: '90' });
      try {
        const o = await tenantWithData(other.app, 'window');
        const res = await o.admin
          .post(`/api/v1/partner/customers/${o.customerId}/licenses`)
          .send({ product: 'Window', seats: 1, startsAt: iso(-DAY), expiresAt: iso(60 * DAY) })
          .expect(201);
        expect(res.body.status).toBe('expiring');
      } finally {
        await other.close();
      }
    });
  });

  describe('partner_support', () => {
    it('gets 403 from every edit endpoint, and nothing changes', async () => {
      const license = { product: 'X', seats: 1, startsAt: iso(0), expiresAt: iso(DAY) };
      const edits: Array<[string, () => Promise<{ status: number; body: { status?: number } }>]> = [
        ['POST customer', () => support.post('/api/v1/partner/customers').send({ companyName: 'S', country: 'GB' })],
        ['PATCH customer', () => support.patch(customerUrl()).send({ companyName: 'By support' })],
        [
          'POST account',
          () =>
            support
              .post(`${customerUrl()}/accounts`)
              .send({ email: 's@support.example.com', firstName: 'S', lastName: 'S', role: 'read_only' }),
        ],
        ['PATCH account', () => support.patch(accountUrl()).send({ role: 'full_access' })],
        ['POST account 2FA reset', () => support.post(`${accountUrl()}/mfa/reset`)],
        ['POST license', () => support.post(`${customerUrl()}/licenses`).send(license)],
        ['PATCH license', () => support.patch(licenseUrl()).send({ seats: 1 })],
      ];
      for (const [name, call] of edits) {
        const res = await call();
        expect([name, res.status, res.body.status]).toEqual([name, 403, 403]);
      }
      const customer = await support.get(customerUrl()).expect(200);
      expect(customer.body).toMatchObject({ companyName: 'Edits Renamed Ltd', accountCount: 1 });
      expect((await support.get(accountUrl()).expect(200)).body.role).toBe('read_only');
      expect((await support.get(licenseUrl()).expect(200)).body.seats).toBe(40);
    });

    it('browses and triggers resets', async () => {
      await support.get('/api/v1/partner/customers').expect(200);
      await support.get('/api/v1/partner/audit').expect(200);
      const res = await support.post(`${accountUrl()}/password-reset`).expect(202);
      const request = await support.get(`/api/v1/partner/password-resets/${res.body.requestId}`).expect(200);
      expect(request.body).toMatchObject({ requestedByEmail: 'support@edits.example.com' });
    });
  });
});

/** The customer search: company names and the emails of the customers' accounts. */
describe('customer search', () => {
  let sut: RunningConsole;
  let admin: TestAgent;

  beforeAll(async () => {
    sut = await startConsole();
    const seed = await sut.app.get(ProvisioningService).seedDemo({ customers: 20, accountsPerCustomer: 2 });
    admin = await signIn(sut.app, seed.adminEmail, seed.adminPassword!);
  });
  afterAll(() => sut.close());

  const names = async (q: string, extra = '') => {
    const res = await admin
      .get(`/api/v1/partner/customers?q=${encodeURIComponent(q)}&pageSize=100${extra}`)
      .expect(200);
    return (res.body.items as Array<{ companyName: string }>).map((c) => c.companyName);
  };

  it('matches a company name by prefix and anywhere inside it, ignoring case', async () => {
    expect(await names('Glob')).toEqual(['Globex Labs', 'Globex Systems']);
    expect(await names('LOGISTICS')).toEqual([]);
    expect(await names('labs')).toHaveLength(4);
  });

  it('matches the email address of any of a customer’s accounts', async () => {
    expect(await names('@wonka-systems.example')).toEqual(['Wonka Systems']);
    expect(await names('ADA.')).toEqual(expect.arrayContaining(['Acme Systems']));
  });

  it('treats LIKE wildcards as text, in names and in emails', async () => {
    expect(await names('%')).toEqual([]);
    expect(await names('_')).toEqual([]);
  });

  it('sorts by company name, country or creation, both ways', async () => {
    const all = await names('');
    expect(all).toEqual([...all].sort());
    expect(await names('', '&sort=-companyName')).toEqual([...all].sort().reverse());
    const byCountry = await admin.get('/api/v1/partner/customers?sort=country&pageSize=100').expect(200);
    const countries = (byCountry.body.items as Array<{ country: string }>).map((c) => c.country);
    expect(countries).toEqual([...countries].sort());
  });
});

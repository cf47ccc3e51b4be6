import { RunningConsole, startConsole } from '../support/console-app';
import { formToken, supportUser, Tenant, tenantWithData } from '../support/partner-console';
import { freshDatabase } from '../support/services';

/**
 * The partner console's own queries on MariaDB: the customer search's EXISTS subquery, the
 * tenant-scoped UPDATEs of accounts and licenses, and the audit trail with people's emails.
 */
describe('partner console on MariaDB', () => {
  let db: { url: string; drop: () => Promise<void> };
  let sut: RunningConsole;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    db = await freshDatabase();
    sut = await startConsole({ DATABASE_URL: db.url, MIGRATE_ON_START: 'true' });
    a = await tenantWithData(sut.app, 'mariaa');
    b = await tenantWithData(sut.app, 'mariab');
    await sut.settle();
  });

  afterAll(async () => {
    await sut?.close();
    await db?.drop();
  });

  it('finds customers by company name or account email, escaping wildcards, within the tenant', async () => {
    const search = async (q: string) =>
      (await a.admin.get(`/api/v1/partner/customers?q=${encodeURIComponent(q)}`).expect(200)).body.items.map(
        (c: { companyName: string }) => c.companyName,
      );
    expect(await search('MARIAA cust')).toEqual(['mariaa customer']);
    expect(await search('USER@mariaa-customer')).toEqual(['mariaa customer']);
    expect(await search('mariab')).toEqual([]);
    expect(await search('%')).toEqual([]);
  });

  it('edits accounts and licenses only through the partner’s own customers', async () => {
    const account = `/api/v1/partner/customers/${a.customerId}/accounts/${a.accountId}`;
    const license = `/api/v1/partner/customers/${a.customerId}/licenses/${a.licenseId}`;
    await a.admin.patch(account).send({ lastName: 'Maria', status: 'disabled' }).expect(200);
    const changed = await a.admin.patch(license).send({ seats: 9, expiresAt: '2040-01-01T00:00:00Z' }).expect(200);
    expect(changed.body).toMatchObject({ seats: 9, expiresAt: '2040-01-01T00:00:00.000Z' });
    expect((await a.admin.get(account).expect(200)).body).toMatchObject({ lastName: 'Maria', status: 'disabled' });

    await a.admin
      .patch(`/api/v1/partner/customers/${a.customerId}/accounts/${b.accountId}`)
      .send({ lastName: 'Crossed' })
      .expect(404);
    await a.admin
      .patch(`/api/v1/partner/customers/${a.customerId}/licenses/${b.licenseId}`)
      .send({ seats: 1 })
      .expect(404);
    const other = `/api/v1/partner/customers/${b.customerId}`;
    expect((await b.admin.get(`${other}/accounts/${b.accountId}`).expect(200)).body.lastName).toBe('mariab');
    expect((await b.admin.get(`${other}/licenses/${b.licenseId}`).expect(200)).body.seats).toBe(5);
  });

  it('shows the audit trail with emails and company names, and the pages render', async () => {
    const audit = await a.admin.get('/api/v1/partner/audit?action=account.changed').expect(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        actorEmail: 'admin@mariaa.example.com',
        targetEmail: 'user@mariaa-customer.example.com',
        customerName: 'mariaa customer',
        detail: { lastName: 'Maria', status: 'disabled' },
      }),
    ]);
    const support = await supportUser(sut.app, a.partnerId, 'support@mariaa.example.com');
    for (const path of [
      '/partner/customers?q=user@',
      `/partner/customers/${a.customerId}?tab=licenses`,
      '/partner/audit',
    ]) {
      await support.get(path).expect(200);
    }
    const token = await formToken(a.admin, `/partner/customers/${a.customerId}/edit`);
    const res = await a.admin
      .post(`/partner/customers/${a.customerId}`)
      .type('form')
      .send({ _csrf: token, companyName: 'Maria Renamed', country: 'ES', status: 'active' })
      .expect(303);
    expect(res.headers.location).toBe(`/partner/customers/${a.customerId}?done=customer-saved`);
  });
});

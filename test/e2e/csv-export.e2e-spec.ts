import TestAgent from 'supertest/lib/agent';
import { DAY_MS } from '@lmp/common';
import { LicenseRepository } from '@lmp/tenancy';
import { RunningConsole, startConsole } from '../support/console-app';
import { csvRecords } from '../support/csv';
import { partnerWithAdmin } from '../support/fixtures';
import { api } from '../support/http';
import { supportUser } from '../support/partner-console';

const NAMES = [
  '=HYPERLINK("http://evil.example")',
  '+Plus Ltd',
  '-Minus SA',
  '@At GmbH',
  'Comma, "Quoted" & Co',
  'Ünïcødé Café',
];

/** GET a CSV download: its status, headers and records. */
async function download(agent: TestAgent, path: string) {
  const res = await agent.get(path).expect(200);
  return { res, ...csvRecords(res.text) };
}

describe('CSV exports of the partner lists', () => {
  let sut: RunningConsole;
  let admin: TestAgent;
  let other: TestAgent;
  let ids: Record<string, string>;
  let otherCustomerId: string;
  let partnerId: string;

  beforeAll(async () => {
    sut = await startConsole();
    const a = await partnerWithAdmin(sut.app);
    admin = a.agent;
    partnerId = a.partnerId;
    ids = {};
    for (const [i, companyName] of NAMES.entries()) {
      const c = await admin
        .post('/api/v1/partner/customers')
        .send({ companyName, country: i % 2 ? 'DE' : 'FR' })
        .expect(201);
      ids[companyName] = c.body.id;
    }
    await admin.patch(`/api/v1/partner/customers/${ids['+Plus Ltd']}`).send({ status: 'suspended' }).expect(200);
    const b = await partnerWithAdmin(sut.app);
    other = b.agent;
    otherCustomerId = (
      await other
        .post('/api/v1/partner/customers')
        .send({ companyName: 'Other partner Ltd', country: 'IT' })
        .expect(201)
    ).body.id;
  });
  afterAll(() => sut.close());

  it('exports every customer as the list shows them, formula cells escaped, as a UTF-8 download', async () => {
    const { res, header, rows } = await download(admin, '/api/v1/partner/customers.csv');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(header).toEqual(['id', 'companyName', 'country', 'status', 'accountCount', 'licenseCount', 'createdAt']);
    const list = (await admin.get('/api/v1/partner/customers?pageSize=100').expect(200)).body.items as Array<{
      id: string;
      companyName: string;
      status: string;
      createdAt: string;
    }>;
    // The list's order and fields; text that could start a formula begins with a quote.
    expect(rows.map((r) => r.id)).toEqual(list.map((c) => c.id));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids['=HYPERLINK("http://evil.example")'])!.companyName).toBe('\'=HYPERLINK("http://evil.example")');
    expect(byId.get(ids['+Plus Ltd'])).toMatchObject({ companyName: "'+Plus Ltd", status: 'suspended' });
    expect(byId.get(ids['-Minus SA'])!.companyName).toBe("'-Minus SA");
    expect(byId.get(ids['@At GmbH'])!.companyName).toBe("'@At GmbH");
    expect(byId.get(ids['Comma, "Quoted" & Co'])!.companyName).toBe('Comma, "Quoted" & Co');
    expect(byId.get(ids['Ünïcødé Café'])).toMatchObject({
      companyName: 'Ünïcødé Café',
      country: 'DE',
      accountCount: '0',
      licenseCount: '0',
      createdAt: list.find((c) => c.id === ids['Ünïcødé Café'])!.createdAt,
    });
    // Another partner's customer never appears, nor the other way round.
    expect(byId.has(otherCustomerId)).toBe(false);
    const theirs = await download(other, '/api/v1/partner/customers.csv');
    expect(theirs.rows.map((r) => r.id)).toEqual([otherCustomerId]);
  });

  it('takes the list filters: q and sort', async () => {
    const found = await download(admin, '/api/v1/partner/customers.csv?q=' + encodeURIComponent('Café'));
    expect(found.rows.map((r) => r.id)).toEqual([ids['Ünïcødé Café']]);
    const none = await download(admin, '/api/v1/partner/customers.csv?q=nothing-like-this');
    expect(none.header[0]).toBe('id');
    expect(none.rows).toEqual([]);
    const newest = await download(admin, '/api/v1/partner/customers.csv?sort=-createdAt');
    const list = (await admin.get('/api/v1/partner/customers?sort=-createdAt').expect(200)).body.items as Array<{
      id: string;
    }>;
    expect(newest.rows.map((r) => r.id)).toEqual(list.map((c) => c.id));
  });

  it('refuses bad filters with a 400 problem and anonymous callers with a 401', async () => {
    for (const query of ['sort=name;drop', `q=${'x'.repeat(201)}`, 'page=2', 'unknown=1']) {
      const res = await admin.get(`/api/v1/partner/customers.csv?${query}`).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    for (const query of ['customerId=not-an-id', `action=${'a'.repeat(65)}`]) {
      await admin.get(`/api/v1/partner/audit.csv?${query}`).expect(400);
    }
    await api(sut.app).get('/api/v1/partner/customers.csv').expect(401);
    await api(sut.app).get('/api/v1/partner/audit.csv').expect(401);
  });

  it('exports the audit trail with its filters, newest first, scoped to the partner', async () => {
    const all = await download(admin, '/api/v1/partner/audit.csv');
    expect(all.res.headers['content-disposition']).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(all.header.slice(0, 7)).toEqual([
      'at',
      'action',
      'actorEmail',
      'customerName',
      'targetEmail',
      'ip',
      'detail',
    ]);
    const list = (await admin.get('/api/v1/partner/audit?pageSize=100').expect(200)).body.items as Array<{
      id: string;
    }>;
    expect(all.rows.map((r) => r.id)).toEqual(list.map((e) => e.id));
    expect(all.rows.filter((r) => r.action === 'customer.created')).toHaveLength(NAMES.length);
    expect(all.rows.map((r) => r.customerId)).not.toContain(otherCustomerId);
    // Names in audit rows are escaped too.
    const created = all.rows.find((r) => r.customerId === ids['@At GmbH'] && r.action === 'customer.created');
    expect(created!.customerName).toBe("'@At GmbH");

    const changed = await download(admin, '/api/v1/partner/audit.csv?action=customer.changed');
    expect(changed.rows).toHaveLength(1);
    expect(changed.rows[0]).toMatchObject({ customerId: ids['+Plus Ltd'], customerName: "'+Plus Ltd" });
    expect(JSON.parse(changed.rows[0].detail)).toEqual({ status: 'suspended' });

    const one = await download(admin, `/api/v1/partner/audit.csv?customerId=${ids['-Minus SA']}`);
    expect(one.rows.map((r) => r.action)).toEqual(['customer.created']);
    // Another partner's customer id finds nothing of this partner's, nor of theirs.
    const foreign = await download(admin, `/api/v1/partner/audit.csv?customerId=${otherCustomerId}`);
    expect(foreign.rows).toEqual([]);
  });

  it("puts a Download CSV button on the customers and audit pages, carrying the page's filters", async () => {
    const button = async (path: string) => {
      const html = (await admin.get(path).expect(200)).text;
      const link = /<a class="button" href="([^"]*\.csv[^"]*)" download>Download CSV<\/a>/.exec(html);
      expect(link).not.toBeNull();
      return link![1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    };
    const customers = await button('/partner/customers?q=Caf%C3%A9&sort=-createdAt');
    expect(customers).toBe('/api/v1/partner/customers.csv?q=Caf%C3%A9&sort=-createdAt');
    expect((await download(admin, customers)).rows.map((r) => r.id)).toEqual([ids['Ünïcødé Café']]);
    const audit = await button(`/partner/audit?action=customer.changed&customerId=${ids['+Plus Ltd']}`);
    expect(audit).toBe(`/api/v1/partner/audit.csv?customerId=${ids['+Plus Ltd']}&action=customer.changed`);
    expect((await download(admin, audit)).rows.map((r) => r.action)).toEqual(['customer.changed']);
    expect(await button('/partner/customers')).toBe('/api/v1/partner/customers.csv');
  });

  it('is open to partner support as the lists are', async () => {
    const code = `sup${Date.now().toString(36)}`;
    const { partnerId, agent } = await partnerWithAdmin(sut.app, code);
    await agent.post('/api/v1/partner/customers').send({ companyName: 'Support view', country: 'NL' }).expect(201);
    const support = await supportUser(sut.app, partnerId, `support@${code}.example.com`);
    const { rows } = await download(support, '/api/v1/partner/customers.csv');
    expect(rows.map((r) => r.companyName)).toEqual(['Support view']);
    await download(support, '/api/v1/partner/audit.csv');
    expect((await download(support, '/api/v1/partner/licenses.csv')).rows).toEqual([]);
  });

  describe("the partner's licenses", () => {
    const EVIL = '=HYPERLINK("http://evil.example/licence")';
    const day = (n: number) => new Date(Date.now() + n * DAY_MS).toISOString();
    let lic: Record<string, string>;
    let theirs: string;

    const license = async (
      agent: TestAgent,
      customerId: string,
      product: string,
      seats: number,
      from: number,
      to: number,
    ) =>
      (
        await agent
          .post(`/api/v1/partner/customers/${customerId}/licenses`)
          .send({ product, seats, startsAt: day(from), expiresAt: day(to) })
          .expect(201)
      ).body.id as string;

    beforeAll(async () => {
      await admin.patch('/api/v1/partner/settings').send({ licenseGraceDays: 10 }).expect(200);
      lic = {
        evil: await license(admin, ids['=HYPERLINK("http://evil.example")'], EVIL, 5, -1, 10),
        later: await license(admin, ids['Ünïcødé Café'], 'Later Suite', 5, -1, 300),
        grace: await license(admin, ids['-Minus SA'], 'Grace Suite', 2, -100, -2),
        old: await license(admin, ids['-Minus SA'], 'Old Suite', 5, -100, -30),
        future: await license(admin, ids['@At GmbH'], 'Future Suite', 9, 5, 400),
      };
      await admin
        .patch(`/api/v1/partner/customers/${ids['@At GmbH']}/licenses/${lic.future}`)
        .send({ status: 'suspended' })
        .expect(200);
      theirs = await license(other, otherCustomerId, 'Theirs Suite', 5, -1, 10);
    });

    const listed = async (query = '') =>
      (await admin.get(`/api/v1/partner/licenses?pageSize=100${query ? `&${query}` : ''}`).expect(200)).body
        .items as Array<Record<string, string | number | null>>;

    it('exports every license as the list shows it, with the derived status, formula cells escaped', async () => {
      const { res, header, rows } = await download(admin, '/api/v1/partner/licenses.csv');
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="licenses-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect(header).toEqual([
        'companyName',
        'product',
        'seats',
        'startsAt',
        'expiresAt',
        'status',
        'graceEndsAt',
        'customerId',
        'id',
      ]);
      const list = await listed();
      // Soonest expiry first, as the list; the fields of the list's items, flat.
      expect(rows.map((r) => r.id)).toEqual([lic.old, lic.grace, lic.evil, lic.later, lic.future]);
      expect(rows.map((r) => r.id)).toEqual(list.map((l) => l.id));
      for (const item of list) {
        const row = rows.find((r) => r.id === item.id)!;
        expect(row).toMatchObject({
          seats: String(item.seats),
          startsAt: item.startsAt,
          expiresAt: item.expiresAt,
          status: item.status,
          graceEndsAt: item.graceEndsAt ?? '',
          customerId: item.customerId,
        });
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(lic.evil)).toMatchObject({
        companyName: '\'=HYPERLINK("http://evil.example")',
        product: `'${EVIL}`,
        status: 'expiring',
      });
      expect(byId.get(lic.grace)).toMatchObject({ companyName: "'-Minus SA", product: 'Grace Suite', status: 'grace' });
      const graceEnds = new Date(byId.get(lic.grace)!.expiresAt).getTime() + 10 * DAY_MS;
      expect(byId.get(lic.grace)!.graceEndsAt).toBe(new Date(graceEnds).toISOString());
      expect(byId.get(lic.old)).toMatchObject({ status: 'expired', graceEndsAt: '' });
      expect(byId.get(lic.later)).toMatchObject({ companyName: 'Ünïcødé Café', status: 'active', seats: '5' });
      expect(byId.get(lic.future)).toMatchObject({ companyName: "'@At GmbH", status: 'suspended' });
      // Another partner's license never appears, nor this partner's in theirs.
      expect(byId.has(theirs)).toBe(false);
      expect((await download(other, '/api/v1/partner/licenses.csv')).rows.map((r) => r.id)).toEqual([theirs]);
    });

    it('takes the list filters: status (incl. expiring and grace), expiresBefore, product, customerId and sort', async () => {
      const exported = async (query: string) =>
        (await download(admin, `/api/v1/partner/licenses.csv?${query}`)).rows.map((r) => r.id);
      expect(await exported('status=expiring')).toEqual([lic.evil]);
      expect(await exported('status=grace')).toEqual([lic.grace]);
      expect(await exported('status=expired')).toEqual([lic.old]);
      expect(await exported('status=active')).toEqual([lic.later]);
      expect(await exported('status=suspended')).toEqual([lic.future]);
      expect(await exported(`expiresBefore=${day(30)}`)).toEqual([lic.old, lic.grace, lic.evil]);
      expect(await exported(`product=${encodeURIComponent(EVIL)}`)).toEqual([lic.evil]);
      expect(await exported(`customerId=${ids['-Minus SA']}&sort=-expiresAt`)).toEqual([lic.grace, lic.old]);
      expect(await exported(`customerId=${otherCustomerId}`)).toEqual([]);
      expect(await exported('product=Theirs%20Suite')).toEqual([]);
      for (const sort of ['-seats', 'companyName', '-companyName', 'product', '-expiresAt']) {
        expect(await exported(`sort=${sort}`)).toEqual((await listed(`sort=${sort}`)).map((l) => l.id));
      }
    });

    it('reads in keyset batches that together give the list, ties and all', async () => {
      const repo = sut.app.get(LicenseRepository);
      const terms = { now: new Date(), expiringDays: 30, graceDays: 10 };
      for (const [sort, field, direction] of [
        ['-seats', 'l.seats', 'DESC'],
        ['companyName', 'c.company_name', 'ASC'],
        ['expiresAt', 'l.expires_at', 'ASC'],
      ] as const) {
        const seen: string[] = [];
        for await (const batch of repo.batchesOfPartner(partnerId, {}, terms, { field, direction }, 2)) {
          expect(batch.length).toBeLessThanOrEqual(2);
          seen.push(...batch.map((l) => l.id));
        }
        expect(seen).toEqual((await listed(`sort=${sort}`)).map((l) => l.id));
      }
    });

    it('refuses bad filters with a 400 problem and anonymous callers with a 401', async () => {
      for (const query of [
        'status=soon',
        'expiresBefore=tomorrow',
        'customerId=not-an-id',
        `product=${'x'.repeat(121)}`,
        'sort=name;drop',
        'page=2',
        'pageSize=10',
        'unknown=1',
      ]) {
        const res = await admin.get(`/api/v1/partner/licenses.csv?${query}`).expect(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      await api(sut.app).get('/api/v1/partner/licenses.csv').expect(401);
    });

    it('puts a Download CSV button on the Licenses page carrying its filters and order', async () => {
      const html = (await admin.get('/partner/licenses?status=expiring&product=Later%20Suite&sort=-seats').expect(200))
        .text;
      const link = /<a class="button" href="([^"]*\.csv[^"]*)" download>Download CSV<\/a>/.exec(html);
      expect(link).not.toBeNull();
      expect(link![1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).toBe(
        '/api/v1/partner/licenses.csv?status=expiring&product=Later+Suite&sort=-seats',
      );
      const plain = (await admin.get('/partner/licenses').expect(200)).text;
      expect(plain).toContain('href="/api/v1/partner/licenses.csv" download>Download CSV</a>');
      const grace = (await admin.get('/partner/licenses?status=grace').expect(200)).text;
      const href = /href="([^"]*licenses\.csv[^"]*)"/.exec(grace)![1].replace(/&#x3D;/g, '=');
      expect((await download(admin, href)).rows.map((r) => r.id)).toEqual([lic.grace]);
    });
  });
});

import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { BulkSeeder, bulkSeedAdminEmail } from '@lmp/tenancy';
import { RunningConsole, startConsole } from '../support/console-app';
import { chunked, csvRecords } from '../support/csv';
import { signIn } from '../support/http';

const PASSWORD = 'seeded passphrase 1';
// 2 partners: the distributor gets 10,500 customers, enough for the kept totals and the
// anchors of deep pages (from 10,000); the other partner gets the rest.
const SIZES = { partners: 2, customers: 21_000, accountsPerCustomer: 1 };

interface Row {
  id: string;
  companyName: string;
  country: string;
  createdAt: string;
}

/**
 * The customer list of a partner with tens of thousands of customers (BENCHMARKS.md B3), on
 * the embedded default: the skewed bulk seed, deep pages from anchors, sorting both ways,
 * searches through the trigram index, counts capped at 1000, and the seed kept when run again.
 */
describe('browsing a large partner', () => {
  let sut: RunningConsole;
  let admin: TestAgent;
  let distributorId: string;

  beforeAll(async () => {
    sut = await startConsole();
    const seeded = await sut.app.get(BulkSeeder).seed({ ...SIZES, password: PASSWORD });
    expect(seeded).toMatchObject({ created: true, accounts: 21_000, distributor: { customers: 10_500 } });
    distributorId = seeded.distributor.partnerId;
    admin = await signIn(sut.app, bulkSeedAdminEmail(SIZES), PASSWORD);
  }, 120_000);
  afterAll(() => sut.close());

  const list = async (query: string) =>
    (await admin.get(`/api/v1/partner/customers?${query}`).expect(200)).body as {
      items: Row[];
      total: number;
      totalCapped?: true;
    };

  /** Every customer of the distributor, in the order the API promises, straight from the table. */
  const ordered = async (column: string, direction: 'ASC' | 'DESC'): Promise<string[]> => {
    const rows: Array<{ id: string }> = await sut.app
      .get(DataSource)
      .query(`SELECT id FROM customers WHERE partner_id = ? ORDER BY ${column} ${direction}, id ${direction}`, [
        distributorId,
      ]);
    return rows.map((r) => r.id);
  };

  it('pages through the whole list, deep pages included, in every sort order', async () => {
    for (const [sort, column, direction] of [
      ['companyName', 'company_name', 'ASC'],
      ['-createdAt', 'created_at', 'DESC'],
      ['country', 'country', 'ASC'],
    ] as const) {
      const all = await ordered(column, direction);
      for (const page of [1, 2, 40, 41, 217, 419, 420, 421]) {
        const body = await list(`sort=${sort}&page=${page}`);
        expect({ sort, page, total: body.total }).toEqual({ sort, page, total: 10_500 });
        expect(body.items.map((c) => c.id)).toEqual(all.slice((page - 1) * 25, page * 25));
      }
    }
  });

  it('finds names containing the text through the trigram index, and counts a common one as 1000+', async () => {
    const [{ company_name: name }]: Array<{ company_name: string }> = await sut.app
      .get(DataSource)
      .query('SELECT company_name FROM customers WHERE partner_id = ? ORDER BY id LIMIT 1 OFFSET 777', [distributorId]);
    const fragment = name.slice(1, 6);
    const expected: Array<{ id: string }> = await sut.app
      .get(DataSource)
      .query(
        'SELECT id FROM customers WHERE partner_id = ? AND company_name LIKE ? ORDER BY company_name, id LIMIT 25',
        [distributorId, `%${fragment}%`],
      );
    const found = await list(`q=${encodeURIComponent(fragment.toUpperCase())}`);
    expect(found.items.map((c) => c.id)).toEqual(expected.map((r) => r.id));
    expect(found.items.every((c) => c.companyName.toLowerCase().includes(fragment.toLowerCase()))).toBe(true);

    // "ics" ends three of the twenty company kinds (Logistics, Analytics, Dynamics): some 1,500
    // names, counted as 1000+; "or" is too short for a trigram and is counted by scanning, also capped.
    for (const q of ['ics', 'or']) {
      const common = await list(`q=${q}`);
      expect({ q, total: common.total, capped: common.totalCapped }).toEqual({ q, total: 1000, capped: true });
      expect(common.items).toHaveLength(25);
      expect(common.items.every((c) => c.companyName.toLowerCase().includes(q))).toBe(true);
    }
  });

  it('exports the whole list as CSV, streamed in chunks, complete and in order', async () => {
    const res = await chunked(admin.get('/api/v1/partner/customers.csv?sort=-createdAt')).expect(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    const body = res.body as { text: string; chunks: number };
    // Streamed from batches of 1000: many writes, not one buffered body.
    expect(body.chunks).toBeGreaterThan(10);
    const { rows } = csvRecords(body.text);
    expect(rows.map((r) => r.id)).toEqual(await ordered('created_at', 'DESC'));
    expect(rows.every((r) => r.accountCount === '1')).toBe(true);
  });

  it('finds a renamed customer by its new name only', async () => {
    const [first] = (await list('page=3')).items;
    await admin
      .patch(`/api/v1/partner/customers/${first.id}`)
      .send({ companyName: 'Zyxwvut Quux Holdings' })
      .expect(200);
    expect((await list('q=wvut%20qu')).items.map((c) => c.id)).toEqual([first.id]);
    expect((await list(`q=${encodeURIComponent(first.companyName)}`)).items.map((c) => c.id)).not.toContain(first.id);
  });

  it('keeps a seed of the same sizes, and replaces one of other sizes', async () => {
    const seeder = sut.app.get(BulkSeeder);
    await expect(seeder.seed({ ...SIZES, password: PASSWORD })).resolves.toMatchObject({ created: false });
    const smaller = { partners: 3, customers: 30, accountsPerCustomer: 2 };
    const replaced = await seeder.seed({ ...smaller, password: PASSWORD });
    expect(replaced).toMatchObject({ created: true, removedCustomers: 21_000, accounts: 60 });
    const [{ n }]: Array<{ n: number }> = await sut.app
      .get(DataSource)
      .query("SELECT COUNT(*) AS n FROM partners WHERE code LIKE 'seed-%'");
    expect(Number(n)).toBe(3);
  }, 120_000);
});

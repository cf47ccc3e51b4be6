import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';
import { Clock } from '@lmp/common';
import { TRIGRAM_TABLE, trigramRows } from '@lmp/database';
import { PasswordHasher } from '@lmp/identity';

/** Sizes of a bulk seed. One partner, the distributor, holds half of the customers (and so half of the accounts). */
export interface BulkSeedSizes {
  partners: number;
  customers: number;
  accountsPerCustomer: number;
}

export interface BulkSeedProgress {
  phase: 'removing' | 'seeding';
  done: number;
  total: number;
  unit: string;
}

export interface BulkSeedOptions extends BulkSeedSizes {
  /** The password of every seeded account and partner admin; a random one (returned) when absent. */
  password?: string;
  onProgress?: (progress: BulkSeedProgress) => void;
}

export interface BulkSeedResult extends BulkSeedSizes {
  /** False when a complete seed of the same sizes was there already and nothing was written. */
  created: boolean;
  accounts: number;
  distributor: { partnerId: string; code: string; adminEmail: string; customers: number };
  /** The generated password, when none was given and the seed was created now. */
  generatedPassword: string | null;
  /** How many rows of an older seed (other sizes, or interrupted) were removed first, in customers. */
  removedCustomers: number;
  seconds: number;
}

/** Every bulk-seeded partner has a code starting with this; nothing else may use it. */
export const BULK_SEED_CODE_PREFIX = 'seed-';
const INCOMPLETE = '-incomplete';

/** `seed-p1000-c100000-a10`: the distributor's code, and the marker of a complete seed of these sizes. */
export function bulkSeedCode(s: BulkSeedSizes): string {
  return `${BULK_SEED_CODE_PREFIX}p${s.partners}-c${s.customers}-a${s.accountsPerCustomer}`;
}

/** The distributor's partner_admin, who signs in with the seed's password. */
export function bulkSeedAdminEmail(s: BulkSeedSizes): string {
  return `admin@${bulkSeedCode(s)}.example.com`;
}

/** How many customers each partner gets: the first (the distributor) half, the others share the rest evenly. */
export function customersPerPartner(s: Pick<BulkSeedSizes, 'partners' | 'customers'>): number[] {
  if (s.partners <= 1) return [s.customers];
  const distributor = Math.ceil(s.customers / 2);
  const rest = s.customers - distributor;
  const others = s.partners - 1;
  const out = [distributor];
  for (let k = 0; k < others; k++) out.push(Math.floor(rest / others) + (k < rest % others ? 1 : 0));
  return out;
}

/** A small deterministic generator (mulberry32), so that a seed of given sizes always has the same names. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Time-ordered UUIDs (version 7 layout, RFC 9562 method 1: a counter in `rand_a`), so that rows
 * go into InnoDB's clustered index in order instead of at random places.
 */
class OrderedIds {
  private counter = 0;
  constructor(private readonly baseMs: number) {}

  next(): string {
    const ms = this.baseMs + Math.floor(this.counter / 4096);
    const seq = this.counter++ % 4096;
    const hex = ms.toString(16).padStart(12, '0') + '7' + seq.toString(16).padStart(3, '0');
    const tail = randomBytes(8);
    tail[0] = (tail[0] & 0x3f) | 0x80;
    const t = tail.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${t.slice(0, 4)}-${t.slice(4)}`;
  }
}

const SYLLABLES = [
  'ab', 'al', 'an', 'ar', 'bel', 'bor', 'cor', 'dan', 'del', 'dor', 'el', 'en', 'fal', 'fen', 'gal', 'gar',
  'hal', 'is', 'kel', 'kor', 'lan', 'lex', 'lum', 'mar', 'mer', 'nor', 'nov', 'or', 'pel', 'quin', 'ran', 'rel',
  'sol', 'tan', 'tek', 'tor', 'ul', 'van', 'vex', 'zan',
]; // prettier-ignore
const KINDS = [
  'Systems', 'Labs', 'Logistics', 'Health', 'Foods', 'Media', 'Energy', 'Retail', 'Legal', 'Capital', 'Consulting',
  'Dynamics', 'Software', 'Analytics', 'Partners', 'Industries', 'Holdings', 'Solutions', 'Networks', 'Group',
]; // prettier-ignore
const SUFFIXES = ['', '', '', ' Ltd', ' GmbH', ' Inc', ' SA', ' BV', ' AB', ' Oy'];
const FIRST = [
  'ada', 'ben', 'chloe', 'dev', 'eva', 'farid', 'grace', 'hugo', 'iris', 'jon', 'kira', 'liam', 'maya', 'nils',
  'olga', 'pavel', 'quinn', 'rosa', 'sami', 'tara', 'uma', 'viktor', 'wen', 'yusuf', 'zoe', 'amir', 'bea', 'carl',
]; // prettier-ignore
const LAST = [
  'lovelace', 'okafor', 'martin', 'patel', 'novak', 'haddad', 'hopper', 'larsen', 'chen', 'snow', 'ito', 'byrne',
  'garcia', 'kowalski', 'muller', 'rossi', 'silva', 'tanaka', 'nguyen', 'olsen', 'kim', 'dubois', 'weber', 'costa',
  'popescu', 'horvat', 'jensen', 'moreau', 'fischer', 'santos',
]; // prettier-ignore
const COUNTRIES = ['GB', 'DE', 'FR', 'NL', 'US', 'IE', 'ES', 'SE', 'IT', 'PL', 'DK', 'FI', 'BE', 'AT', 'CH', 'PT'];
const PRODUCTS = ['LMP Endpoint Suite', 'LMP Backup', 'LMP Mail Security', 'LMP Device Manager'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** DATETIME(3) text in UTC: the same literal for MySQL and SQLite. */
const dt = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

type Value = string | number | null;

const PARTNER_COLUMNS = ['id', 'code', 'name', 'status', 'created_at'];
const CUSTOMER_COLUMNS = ['id', 'partner_id', 'company_name', 'country', 'status', 'created_at', 'updated_at'];
const USER_COLUMNS = [
  'id',
  'email',
  'password_hash',
  'status',
  'email_verified_at',
  'first_name',
  'last_name',
  'user_type',
  'phone',
  'location',
  'partner_id',
  'customer_id',
  'role',
  'failed_logins',
  'locked_until',
  'password_changed_at',
  'last_login_at',
  'created_at',
  'updated_at',
];
const TRIGRAM_COLUMNS = ['partner_id', 'trigram', 'customer_id'];
const LICENSE_COLUMNS = ['id', 'customer_id', 'product', 'seats', 'starts_at', 'expires_at', 'status', 'created_at'];

/**
 * Seeds partners, customers, accounts and licenses at scale, skewed like a real channel: one
 * distributor with half of everything, the other partners sharing the rest. Rows go in with
 * multi-row INSERTs in large transactions, one argon2 hash serves every account, and ids are
 * time-ordered. The distributor's code marks a complete seed of given sizes: running again with
 * the same sizes does nothing; with other sizes (or after an interrupted run) the older seed is
 * removed first. Only partners whose code starts with `seed-` are ever touched.
 */
@Injectable()
export class BulkSeeder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  /** Rows per INSERT: SQLite binds at most 32766 parameters per statement. */
  private rowsPerInsert(columns: number): number {
    return this.dataSource.options.type === 'better-sqlite3' ? Math.floor(32_000 / columns) : 2000;
  }

  async seed(options: BulkSeedOptions): Promise<BulkSeedResult> {
    const started = Date.now();
    const sizes: BulkSeedSizes = {
      partners: options.partners,
      customers: options.customers,
      accountsPerCustomer: options.accountsPerCustomer,
    };
    const code = bulkSeedCode(sizes);
    const adminEmail = bulkSeedAdminEmail(sizes);
    const split = customersPerPartner(sizes);
    const existing: Array<{ id: string; code: string }> = await this.dataSource.query(
      `SELECT id, code FROM partners WHERE code LIKE ? ESCAPE '!'`,
      [`${BULK_SEED_CODE_PREFIX}%`],
    );
    const complete = existing.find((p) => p.code === code);
    if (complete) {
      return {
        ...sizes,
        created: false,
        accounts: sizes.customers * sizes.accountsPerCustomer,
        distributor: { partnerId: complete.id, code, adminEmail, customers: split[0] },
        generatedPassword: null,
        removedCustomers: 0,
        seconds: (Date.now() - started) / 1000,
      };
    }
    const removedCustomers = existing.length ? await this.remove(existing, options.onProgress) : 0;

    const generatedPassword = options.password === undefined ? randomBytes(12).toString('base64url') : null;
    const hash = await this.hasher.hash(options.password ?? generatedPassword!);
    const now = this.clock.now();
    const ids = new OrderedIds(now.getTime() - 1000 * 3600_000);
    const random = prng(sizes.partners * 1_000_003 + sizes.customers * 31 + sizes.accountsPerCustomer);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
    const totalAccounts = sizes.customers * sizes.accountsPerCustomer;
    const report = (done: number) =>
      options.onProgress?.({ phase: 'seeding', done, total: totalAccounts, unit: 'accounts' });
    report(0);

    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // Partners and their admins first (the distributor marked incomplete until the end).
      const partnerIds: string[] = [];
      const partnerRows: Value[][] = [];
      const adminRows: Value[][] = [];
      for (let p = 0; p < sizes.partners; p++) {
        const id = ids.next();
        partnerIds.push(id);
        const pcode = p === 0 ? `${code}${INCOMPLETE}` : `${code}-${String(p).padStart(5, '0')}`;
        const name = p === 0 ? 'Seed Distributor' : `Seed Reseller ${String(p).padStart(5, '0')}`;
        partnerRows.push([id, pcode, name, 'active', dt(now)]);
        const email = p === 0 ? adminEmail : `admin@${pcode}.example.com`;
        adminRows.push(this.userRow(ids.next(), email, hash, 'partner_admin', id, null, 'Pat', 'Admin', now));
        if (p === 0) {
          adminRows.push(
            this.userRow(
              ids.next(),
              `support@${code}.example.com`,
              hash,
              'partner_support',
              id,
              null,
              'Sam',
              'Support',
              now,
            ),
          );
        }
      }
      await this.inTransaction(runner, async () => {
        await this.insert(runner, 'partners', PARTNER_COLUMNS, partnerRows);
        await this.insert(runner, 'users', USER_COLUMNS, adminRows);
      });

      // Customers, accounts and licenses, a thousand customers per transaction.
      const perTransaction = 1000;
      let seq = 0;
      let accounts = 0;
      let customers: Value[][] = [];
      let users: Value[][] = [];
      let licenses: Value[][] = [];
      const flush = async () => {
        if (!customers.length) return;
        const [c, u, l] = [customers, users, licenses];
        customers = [];
        users = [];
        licenses = [];
        await this.inTransaction(runner, async () => {
          await this.insert(runner, 'customers', CUSTOMER_COLUMNS, c);
          await this.insert(runner, 'users', USER_COLUMNS, u);
          await this.insert(runner, 'licenses', LICENSE_COLUMNS, l);
          const grams = trigramRows(
            c.map(([id, partnerId, companyName]) => ({
              id: String(id),
              partnerId: String(partnerId),
              companyName: String(companyName),
            })),
          );
          await this.insert(runner, TRIGRAM_TABLE, TRIGRAM_COLUMNS, grams);
        });
        accounts += u.length;
        report(accounts);
      };
      const span = 3 * 365 * 86400_000;
      for (let p = 0; p < split.length; p++) {
        for (let k = 0; k < split[p]; k++, seq++) {
          const stem = cap(pick(SYLLABLES) + pick(SYLLABLES) + (random() < 0.5 ? pick(SYLLABLES) : ''));
          const companyName = `${stem} ${pick(KINDS)}${pick(SUFFIXES)}`;
          const created = new Date(now.getTime() - Math.floor(random() * span));
          const customerId = ids.next();
          customers.push([customerId, partnerIds[p], companyName, pick(COUNTRIES), 'active', dt(created), dt(created)]);
          const domain = `${companyName
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/-+$/, '')}-${seq.toString(36)}.example.com`;
          const used = new Set<string>();
          for (let a = 0; a < sizes.accountsPerCustomer; a++) {
            const first = pick(FIRST);
            const last = pick(LAST);
            let local = `${first}.${last}`;
            for (let n = 2; used.has(local); n++) local = `${first}.${last}${n}`;
            used.add(local);
            users.push(
              this.userRow(
                ids.next(),
                `${local}@${domain}`,
                hash,
                a === 0 ? 'full_access' : 'read_only',
                null,
                customerId,
                cap(first),
                cap(last),
                created,
              ),
            );
          }
          const expires = new Date(created.getTime() + (1 + Math.floor(random() * 36)) * 30 * 86400_000);
          licenses.push([
            ids.next(),
            customerId,
            pick(PRODUCTS),
            5 + Math.floor(random() * 500),
            dt(created),
            dt(expires),
            'active',
            dt(created),
          ]);
          if (customers.length >= perTransaction) await flush();
        }
      }
      await flush();
      // The marker: the distributor's final code says that the seed of these sizes is complete.
      await runner.query(`UPDATE partners SET code = ? WHERE id = ?`, [code, partnerIds[0]]);
      return {
        ...sizes,
        created: true,
        accounts,
        distributor: { partnerId: partnerIds[0], code, adminEmail, customers: split[0] },
        generatedPassword,
        removedCustomers,
        seconds: (Date.now() - started) / 1000,
      };
    } finally {
      await runner.release();
    }
  }

  /** Deletes earlier seeds (their partners, customers, accounts and licenses), a thousand customers at a time. */
  private async remove(
    partners: Array<{ id: string; code: string }>,
    onProgress?: (progress: BulkSeedProgress) => void,
  ): Promise<number> {
    const placeholders = (n: number) => Array(n).fill('?').join(', ');
    const partnerIds = partners.map((p) => p.id);
    const [{ n }]: Array<{ n: string | number }> = await this.dataSource.query(
      `SELECT COUNT(*) AS n FROM customers WHERE partner_id IN (${placeholders(partnerIds.length)})`,
      partnerIds,
    );
    const total = Number(n);
    let done = 0;
    onProgress?.({ phase: 'removing', done, total, unit: 'customers' });
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      for (const partnerId of partnerIds) {
        for (;;) {
          const rows: Array<{ id: string }> = await runner.query(
            `SELECT id FROM customers WHERE partner_id = ? LIMIT 1000`,
            [partnerId],
          );
          if (!rows.length) break;
          const batch = rows.map((r) => r.id);
          const list = placeholders(batch.length);
          await this.inTransaction(runner, async () => {
            await runner.query(`DELETE FROM users WHERE customer_id IN (${list})`, batch);
            await runner.query(`DELETE FROM licenses WHERE customer_id IN (${list})`, batch);
            await runner.query(`DELETE FROM customers WHERE id IN (${list})`, batch);
          });
          done += batch.length;
          onProgress?.({ phase: 'removing', done, total, unit: 'customers' });
        }
        await this.inTransaction(runner, async () => {
          await runner.query(`DELETE FROM users WHERE partner_id = ?`, [partnerId]);
          await runner.query(`DELETE FROM partners WHERE id = ?`, [partnerId]);
        });
      }
    } finally {
      await runner.release();
    }
    return total;
  }

  private async inTransaction(runner: QueryRunner, work: () => Promise<void>): Promise<void> {
    await runner.startTransaction();
    try {
      await work();
      await runner.commitTransaction();
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    }
  }

  private async insert(runner: QueryRunner, table: string, columns: string[], rows: Value[][]): Promise<void> {
    const size = this.rowsPerInsert(columns.length);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += size) {
      const chunk = rows.slice(i, i + size);
      await runner.query(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(chunk.length).fill(tuple).join(', ')}`,
        chunk.flat(),
      );
    }
  }

  private userRow(
    id: string,
    email: string,
    passwordHash: string,
    role: string,
    partnerId: string | null,
    customerId: string | null,
    firstName: string,
    lastName: string,
    at: Date,
  ): Value[] {
    const t = dt(at);
    // prettier-ignore
    return [id, email, passwordHash, 'active', t, firstName, lastName, 'company', null, null, partnerId, customerId, role, 0, null, t, null, t, t];
  }
}

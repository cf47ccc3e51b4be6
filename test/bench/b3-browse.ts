import { createPool, Pool } from 'mysql2/promise';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { dataSourceOptions } from '../../libs/database/src/data-source-options';
import { ReadReplicas } from '../../libs/database/src/read-replicas';
import { AccountRepository } from '../../libs/tenancy/src/account.repository';
import { CustomerRepository } from '../../libs/tenancy/src/customer.repository';
import { Samples, SeededDatabase } from './data';
import { closedLoop, HttpClient, LoadResult } from './load';

export const CONCURRENCY = 16;
export const PAGE_SIZE = 25;
/** The console's pool size (data-source-options): the raw SQL gets the same. */
export const POOL_SIZE = 20;

export const SCENARIOS = ['list', 'prefix', 'contains', 'deep', 'email', 'accounts'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Statement {
  sql: string;
  params: unknown[];
}

/** One request of the mix: its URL, and the SQL the repositories emit to answer it. */
export interface BrowseRequest {
  kind: Scenario;
  path: string;
  statements: Statement[];
  call: { q?: string; page: number; customerId?: string };
}

/** Records every statement TypeORM sends, while `into` is set. */
class CaptureLogger implements TypeOrmLogger {
  into: Statement[] | null = null;
  logQuery(query: string, parameters?: unknown[]): void {
    this.into?.push({ sql: query, params: parameters ?? [] });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)];
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/**
 * The browsing mix, as the distributor: the first page, a company-name prefix, a fragment from
 * inside a name, a deep page (anywhere up to the last), one account's email address, and a
 * customer's accounts tab. `perKind` instances of each, the same for the API and the raw SQL.
 */
export function browseMix(samples: Samples, distributorCustomers: number, perKind: number): BrowseRequest[] {
  const lastPage = Math.max(1, Math.ceil(distributorCustomers / PAGE_SIZE));
  const list = (kind: Scenario, q: string | undefined, page: number): BrowseRequest => {
    const query = new URLSearchParams({ page: String(page) });
    if (q !== undefined) query.set('q', q);
    return { kind, path: `/api/v1/partner/customers?${query}`, statements: [], call: { q, page } };
  };
  const out: BrowseRequest[] = [];
  for (let i = 0; i < perKind; i++) {
    const name = pick(samples.customers).companyName;
    out.push(list('list', undefined, 1));
    out.push(list('prefix', name.slice(0, between(3, 5)), 1));
    const len = between(4, 5);
    const at = between(1, Math.max(1, name.length - len));
    out.push(list('contains', name.slice(at, at + len), 1));
    out.push(list('deep', undefined, between(2, lastPage)));
    out.push(list('email', pick(samples.distributorAccounts).email, 1));
    const customerId = pick(samples.customers).id;
    out.push({
      kind: 'accounts',
      path: `/api/v1/partner/customers/${customerId}/accounts`,
      statements: [],
      call: { page: 1, customerId },
    });
  }
  return out;
}

/**
 * Runs each request once through the product's repositories (in this process, on their own
 * DataSource) and keeps the SQL they send, with its parameters: what the raw ceiling replays.
 */
export async function captureSql(db: SeededDatabase, requests: BrowseRequest[]): Promise<void> {
  const logger = new CaptureLogger();
  const ds = new DataSource({
    ...dataSourceOptions({ database: { type: 'mariadb', url: db.url }, migrateOnStart: false }),
    logging: ['query'],
    logger,
  });
  await ds.initialize();
  try {
    const primaryOnly = new ReadReplicas(ds);
    const customers = new CustomerRepository(ds, primaryOnly);
    const accounts = new AccountRepository(ds, primaryOnly);
    for (const r of requests) {
      logger.into = r.statements;
      if (r.kind === 'accounts') {
        await customers.findOne(db.distributorId, r.call.customerId!);
        await accounts.list(db.distributorId, r.call.customerId!, { page: 1, pageSize: PAGE_SIZE });
      } else {
        await customers.list(db.distributorId, {
          page: r.call.page,
          pageSize: PAGE_SIZE,
          q: r.call.q,
          sort: { field: 'company_name', direction: 'ASC' },
        });
      }
      logger.into = null;
    }
  } finally {
    await ds.destroy();
  }
}

export function rawPool(db: SeededDatabase): Pool {
  return createPool({ uri: db.url, connectionLimit: POOL_SIZE, timezone: 'Z', charset: 'utf8mb4_unicode_ci' });
}

/** The ceiling: the captured SQL of each request, in order, through mysql2 directly, 16 clients. */
export function b3Raw(pool: Pool, requests: BrowseRequest[], seconds: number): Promise<LoadResult> {
  return closedLoop({
    concurrency: CONCURRENCY,
    seconds,
    warmupSeconds: 1,
    op: async (_c, seq) => {
      const r = requests[seq % requests.length];
      for (const s of r.statements) await pool.query(s.sql, s.params);
      return { kind: r.kind, ok: true };
    },
  });
}

/** The product: the same requests through the API, 16 clients, each with its own session. */
export function b3Product(
  http: HttpClient,
  cookies: string[],
  requests: BrowseRequest[],
  seconds: number,
): Promise<LoadResult> {
  return closedLoop({
    concurrency: CONCURRENCY,
    seconds,
    warmupSeconds: 1,
    op: async (client, seq) => {
      const r = requests[seq % requests.length];
      const res = await http.request('GET', r.path, { cookie: cookies[client % cookies.length] });
      return { kind: r.kind, ok: res.status === 200, error: `${res.status} ${res.body.slice(0, 200)}` };
    },
  });
}

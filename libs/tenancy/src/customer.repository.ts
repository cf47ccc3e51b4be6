import { Injectable, Optional } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In, SelectQueryBuilder, WhereExpressionBuilder } from 'typeorm';
import { offsetOf, Page, PageRequest } from '@lmp/common';
import {
  Customer,
  insertRows,
  License,
  ReadReplicas,
  reindexCustomerName,
  searchTrigrams,
  TRIGRAM_TABLE,
  User,
} from '@lmp/database';
import { likeEscape } from './like';
import { ListPositionsCache } from './list-positions.cache';

export interface CustomerListQuery extends PageRequest {
  q?: string;
  sort: { field: 'company_name' | 'created_at' | 'country'; direction: 'ASC' | 'DESC' };
  /** The expiring window: rows say whether a license (not suspended, started) expires in it. */
  expiring?: { now: Date; until: Date };
}

export interface CustomerRow extends Customer {
  accountCount: number;
  licenseCount: number;
  /** Set when the list was asked for the expiring window. */
  hasExpiringLicense?: boolean;
}

/** Deep pages of long lists start from the sort key of every this-many-th customer. */
export const ANCHOR_EVERY = 1000;
/** Totals and anchors of unfiltered lists at least this long are kept a few seconds (ListPositionsCache). */
const KEEP_FROM = 10_000;
/** At most this many customers are matched through their accounts' emails. */
const MAX_EMAIL_MATCHES = 1000;
/** Name searches matching more customers than this read the names in order instead. */
const MAX_INDEXED_MATCHES = 1000;
/** Rows per query of an export. */
export const EXPORT_BATCH = 1000;
/** A search matching more customers than this is counted "1000+". */
export const MAX_COUNTED = 1000;

interface Anchor {
  value: string | Date;
  id: string;
}

interface Positions {
  total: number;
  anchors: Anchor[];
}

interface Search {
  /** The number of matches, when the search knows it already. */
  count?: number;
  apply(qb: SelectQueryBuilder<object> | WhereExpressionBuilder, alias: string): void;
}

/**
 * Customer queries. Every method takes the partner id first: there is no way to read a
 * customer without naming the tenant, so a foreign id finds nothing.
 */
@Injectable()
export class CustomerRepository {
  /** Totals and anchors of long lists, per partner and sort, for a few seconds; voided on every console by a change. */
  private readonly kept: ListPositionsCache<Positions>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly replicas: ReadReplicas,
    @Optional() kept?: ListPositionsCache,
  ) {
    this.kept = (kept ?? new ListPositionsCache()) as ListPositionsCache<Positions>;
  }

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(Customer);
  }

  findOne(partnerId: string, customerId: string, em?: EntityManager): Promise<Customer | null> {
    return this.repo(em).findOneBy({ partnerId, id: customerId });
  }

  async insert(em: EntityManager, customer: Customer): Promise<void> {
    await insertRows(em, Customer, customer);
    this.forget(customer.partnerId);
  }

  async update(
    em: EntityManager,
    partnerId: string,
    customerId: string,
    changes: Partial<Pick<Customer, 'companyName' | 'country' | 'status' | 'updatedAt'>>,
  ): Promise<void> {
    const result = await this.repo(em).update({ partnerId, id: customerId }, changes);
    if (changes.companyName !== undefined && (result.affected ?? 0) > 0) {
      await reindexCustomerName(em, { id: customerId, partnerId, companyName: changes.companyName });
    }
    this.forget(partnerId);
  }

  /** Company names by id, for the partner's own customers among `ids` only. */
  async namesOf(partnerId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.repo().find({
      select: ['id', 'companyName'],
      where: { partnerId, id: In([...new Set(ids)]) },
    });
    return new Map(rows.map((c) => [c.id, c.companyName]));
  }

  /**
   * One page of the partner's customers, with their account and license counts. Built to stay
   * fast for a partner with tens of thousands of customers:
   * - the page's ids come from an index-only scan of (partner_id, sort column, id), which stops
   *   as soon as the page is full, joined in the same statement to the rows and both counts;
   * - a search for text in names goes through the trigram index (customer-search.ts) and
   *   counts at most 1000 matches ("1000+", `totalCapped`);
   * - deep pages of a long unfiltered list start from an anchor (the sort key of every 1000th
   *   customer, kept for a few seconds), so no page scans more than 1000 index entries to skip;
   * - the total is not counted when the page itself tells it, and a long unfiltered list's
   *   total is kept for a few seconds rather than counted on every page.
   * A search `q` matches company names containing it, and, when it looks like the start of an
   * address (it has an @ or a dot: `ada.`, `ada.kim@acme`), accounts whose email starts with it;
   * `@domain` finds accounts by the domain of their address.
   * A browse read: it runs on a read replica when there is a usable one.
   */
  list(partnerId: string, query: CustomerListQuery): Promise<Page<CustomerRow>> {
    return this.replicas.read((em) => this.listOn(em, partnerId, query));
  }

  private async listOn(em: EntityManager, partnerId: string, query: CustomerListQuery): Promise<Page<CustomerRow>> {
    const q = query.q?.trim() ?? '';
    const { field, direction } = query.sort;
    const offset = offsetOf(query);
    const search = q ? await this.search(em, partnerId, q) : undefined;
    if (search === null) return { items: [], total: 0, page: query.page, pageSize: query.pageSize };

    let skip = offset;
    let after: Anchor | undefined;
    let known = search?.count;
    if (!search && offset >= ANCHOR_EVERY) {
      const index = await this.positions(em, partnerId, field, direction);
      known = index?.total;
      if (index) {
        const at = Math.min(Math.floor(offset / ANCHOR_EVERY), index.anchors.length - 1);
        after = index.anchors[at];
        skip = offset - at * ANCHOR_EVERY;
      }
    }
    const op = direction === 'ASC' ? '>' : '<';
    const qb = this.repo(em)
      .createQueryBuilder('c')
      .addSelect('(SELECT COUNT(*) FROM users u WHERE u.customer_id = c.id)', 'account_count')
      .addSelect('(SELECT COUNT(*) FROM licenses l WHERE l.customer_id = c.id)', 'license_count')
      // A correlated EXISTS per row of the page: a range on IDX_licenses_customer_expires.
      .addSelect(
        query.expiring
          ? "(CASE WHEN EXISTS (SELECT 1 FROM licenses x WHERE x.customer_id = c.id AND x.expires_at > :expNow AND x.expires_at <= :expUntil AND x.starts_at <= :expNow AND x.status <> 'suspended') THEN 1 ELSE 0 END)"
          : '0',
        'expiring_license',
      )
      .setParameters(query.expiring ? { expNow: query.expiring.now, expUntil: query.expiring.until } : {})
      .innerJoin(
        (sub) => {
          sub
            .select('p.id', 'id')
            .from(Customer, 'p')
            .where('p.partner_id = :partnerId', { partnerId })
            .orderBy(`p.${field}`, direction)
            .addOrderBy('p.id', direction)
            .offset(skip)
            .limit(query.pageSize);
          if (search) search.apply(sub, 'p');
          if (after) {
            sub.andWhere(`(p.${field} ${op} :anchorValue OR (p.${field} = :anchorValue AND p.id ${op}= :anchorId))`, {
              anchorValue: after.value,
              anchorId: after.id,
            });
          }
          return sub;
        },
        'page',
        'page.id = c.id',
      )
      .orderBy(`c.${field}`, direction)
      .addOrderBy('c.id', direction);
    const { entities, raw } = await qb.getRawAndEntities<{
      c_id: string;
      account_count: string;
      license_count: string;
      expiring_license: string | number;
    }>();
    const counts = new Map(raw.map((r) => [r.c_id, r]));
    const items = entities.map((c) => ({
      ...c,
      accountCount: Number(counts.get(c.id)?.account_count ?? 0),
      licenseCount: Number(counts.get(c.id)?.license_count ?? 0),
      ...(query.expiring ? { hasExpiringLicense: Number(counts.get(c.id)?.expiring_license ?? 0) === 1 } : {}),
    }));
    // A page that is not full (and not past the end) tells the total by itself.
    const total =
      items.length < query.pageSize && (items.length > 0 || offset === 0)
        ? offset + items.length
        : (known ?? (await this.total(em, partnerId, search)));
    const page: Page<CustomerRow> = { items, total, page: query.page, pageSize: query.pageSize };
    if (search && total > MAX_COUNTED) return { ...page, total: MAX_COUNTED, totalCapped: true };
    return page;
  }

  /**
   * Every customer the list shows for `q`, in the list's order, a batch at a time, for exports.
   * Keyset pages: each batch starts after the sort key of the last one's final row, so none
   * re-reads what came before, and nothing is held but the batch being handed on. Browse reads:
   * each batch runs on a read replica when there is a usable one.
   */
  async *batches(
    partnerId: string,
    query: Pick<CustomerListQuery, 'q' | 'sort'>,
    size = EXPORT_BATCH,
  ): AsyncGenerator<CustomerRow[]> {
    const q = query.q?.trim() ?? '';
    const search = q ? await this.replicas.read((em) => this.search(em, partnerId, q)) : undefined;
    if (search === null) return;
    const { field, direction } = query.sort;
    const op = direction === 'ASC' ? '>' : '<';
    let after: Anchor | undefined;
    for (;;) {
      const batch = (em: EntityManager) => {
        const qb = this.repo(em)
          .createQueryBuilder('c')
          .addSelect('(SELECT COUNT(*) FROM users u WHERE u.customer_id = c.id)', 'account_count')
          .addSelect('(SELECT COUNT(*) FROM licenses l WHERE l.customer_id = c.id)', 'license_count')
          .where('c.partner_id = :partnerId', { partnerId })
          .orderBy(`c.${field}`, direction)
          .addOrderBy('c.id', direction)
          .limit(size);
        if (search) search.apply(qb, 'c');
        // (field, id) past the last row's, written so the leading bound is an index range.
        if (after)
          qb.andWhere(`c.${field} ${op}= :afterValue AND (c.${field} ${op} :afterValue OR c.id ${op} :afterId)`, {
            afterValue: after.value,
            afterId: after.id,
          });
        return qb.getRawAndEntities<Record<string, string | Date>>();
      };
      const { entities, raw } = await this.replicas.read(batch);
      if (entities.length === 0) return;
      yield entities.map((c, i) => ({
        ...c,
        accountCount: Number(raw[i].account_count),
        licenseCount: Number(raw[i].license_count),
      }));
      if (entities.length < size) return;
      const last = raw[raw.length - 1];
      // The key as the database gave it, so it compares the same way on the way back.
      after = { value: last[`c_${field}`], id: String(last.c_id) };
    }
  }

  /** Drops what every console keeps about a partner's list (its total and anchors), after a change. */
  forget(partnerId: string): void {
    this.kept.forget(partnerId);
  }

  /** Searches are counted each time; long lists' totals are kept; short ones are always exact. */
  private async total(em: EntityManager, partnerId: string, search: Search | undefined): Promise<number> {
    if (search) return this.count(em, partnerId, search);
    const { total } = await this.kept.remember(
      partnerId,
      'total',
      async () => ({ total: await this.count(em, partnerId), anchors: [] }),
      (v) => v.total >= KEEP_FROM,
    );
    return total;
  }

  private async count(em: EntityManager, partnerId: string, search?: Search): Promise<number> {
    const qb = this.repo(em).createQueryBuilder('c').select('1').where('c.partner_id = :partnerId', { partnerId });
    if (search) {
      // A search is counted up to MAX_COUNTED + 1 matches: past that, "1000+".
      search.apply(qb, 'c');
      qb.limit(MAX_COUNTED + 1);
    }
    const [sql, params] = qb.getQueryAndParameters();
    const rows: Array<{ n: string | number }> = await em.query(`SELECT COUNT(*) AS n FROM (${sql}) counted`, params);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * The sort key of every ANCHOR_EVERY-th customer of a long list, in one pass of window
   * functions over the index; null for lists shorter than KEEP_FROM (they page cheaply anyway).
   */
  private async positions(
    em: EntityManager,
    partnerId: string,
    field: CustomerListQuery['sort']['field'],
    direction: 'ASC' | 'DESC',
  ): Promise<Positions | null> {
    const value = await this.kept.remember(partnerId, `${field}|${direction}`, () =>
      this.anchors(em, partnerId, field, direction),
    );
    return value.total >= KEEP_FROM ? value : null;
  }

  private async anchors(
    em: EntityManager,
    partnerId: string,
    field: CustomerListQuery['sort']['field'],
    direction: 'ASC' | 'DESC',
  ): Promise<Positions> {
    const rows: Array<{ v: string | Date; id: string; n: string | number; total: string | number }> = await em.query(
      `SELECT x.v, x.id, x.n, x.total FROM (
           SELECT c.${field} AS v, c.id AS id,
                  ROW_NUMBER() OVER (ORDER BY c.${field} ${direction}, c.id ${direction}) AS n,
                  COUNT(*) OVER () AS total
           FROM customers c WHERE c.partner_id = ?) x
         WHERE (x.n - 1) % ${ANCHOR_EVERY} = 0 ORDER BY x.n`,
      [partnerId],
    );
    const total = rows.length ? Number(rows[0].total) : 0;
    return { total, anchors: rows.map((r) => ({ value: r.v, id: r.id })) };
  }

  /**
   * What a search matches. Emails are stored lower-cased and looked up through their unique
   * index: the customers (of this partner) with an account whose address starts with `q` are
   * found first, by one indexed range; null when nothing can match.
   */
  private async search(em: EntityManager, partnerId: string, q: string): Promise<Search | null> {
    const lower = likeEscape(q.toLowerCase());
    if (q.startsWith('@')) {
      // A domain: no index serves the end of an address, so this reads the partner's accounts.
      return {
        apply: (qb, a) =>
          qb.andWhere(
            `EXISTS (SELECT 1 FROM users u WHERE u.customer_id = ${a}.id AND u.email LIKE :domain ESCAPE '!')`,
            {
              domain: `%${lower}%`,
            },
          ),
      };
    }
    // A plain word ("dan") is looked up in names only: as an email prefix it would read every
    // address of every partner starting with it, to find the few of this partner.
    const byEmail =
      q.length >= 3 && /[@.]/.test(q)
        ? (
            await em
              .getRepository(User)
              .createQueryBuilder('u')
              .select('DISTINCT u.customer_id', 'id')
              .innerJoin(Customer, 'e', 'e.id = u.customer_id')
              .where("u.email LIKE :prefix ESCAPE '!'", { prefix: `${lower}%` })
              .andWhere('e.partner_id = :partnerId', { partnerId })
              .limit(MAX_EMAIL_MATCHES)
              .getRawMany<{ id: string }>()
          ).map((r) => r.id)
        : [];
    if (q.includes('@')) {
      if (byEmail.length === 0) return null;
      return { apply: (qb, a) => qb.andWhere(`${a}.id IN (:...byEmail)`, { byEmail }) };
    }
    const contains = `%${likeEscape(q)}%`;
    const trigrams = searchTrigrams(q);
    if (trigrams.length > 0) {
      const byName = await this.namesContaining(em, partnerId, trigrams, contains);
      if (byName.length <= MAX_INDEXED_MATCHES) {
        const ids = [...new Set([...byName, ...byEmail])];
        if (ids.length === 0) return null;
        return { count: ids.length, apply: (qb, a) => qb.andWhere(`${a}.id IN (:...ids)`, { ids }) };
      }
    }
    // Too short for a trigram, or too common to list: the page reads the names in order and
    // stops when it is full, and the total is counted up to MAX_COUNTED only ("1000+").
    return {
      count: trigrams.length > 0 ? MAX_COUNTED + 1 : undefined,
      apply: (qb, a) =>
        qb.andWhere(
          new Brackets((or) => {
            or.where(`${a}.company_name LIKE :contains ESCAPE '!'`, { contains });
            if (byEmail.length) or.orWhere(`${a}.id IN (:...byEmail)`, { byEmail });
          }),
        ),
    };
  }

  /**
   * Customers of the partner whose name contains the text, through the trigram index: the
   * customers listed under each of the text's sampled trigrams (a join that the database starts
   * from the shortest list), checked with LIKE. At most MAX_INDEXED_MATCHES + 1 ids.
   */
  private async namesContaining(
    em: EntityManager,
    partnerId: string,
    trigrams: string[],
    contains: string,
  ): Promise<string[]> {
    const joins = trigrams
      .slice(1)
      .map(
        (_, i) =>
          `INNER JOIN ${TRIGRAM_TABLE} t${i + 1} ON t${i + 1}.partner_id = t0.partner_id AND t${i + 1}.trigram = ? AND t${i + 1}.customer_id = t0.customer_id`,
      )
      .join(' ');
    const rows: Array<{ id: string }> = await em.query(
      `SELECT c.id AS id FROM ${TRIGRAM_TABLE} t0 ${joins}
       INNER JOIN customers c ON c.id = t0.customer_id
       WHERE t0.partner_id = ? AND t0.trigram = ? AND c.company_name LIKE ? ESCAPE '!'
       LIMIT ${MAX_INDEXED_MATCHES + 1}`,
      [...trigrams.slice(1), partnerId, trigrams[0], contains],
    );
    return rows.map((r) => r.id);
  }

  /** Accounts and licenses per customer, for one page of customers only. */
  async counts(ids: string[]): Promise<{ accounts: Map<string, number>; licenses: Map<string, number> }> {
    const accounts = new Map<string, number>();
    const licenses = new Map<string, number>();
    if (ids.length === 0) return { accounts, licenses };
    const count = async (entity: typeof User | typeof License, into: Map<string, number>) => {
      const rows: Array<{ id: string; n: string | number }> = await this.dataSource
        .getRepository(entity)
        .createQueryBuilder('x')
        .select('x.customer_id', 'id')
        .addSelect('COUNT(*)', 'n')
        .where({ customerId: In(ids) })
        .groupBy('x.customer_id')
        .getRawMany();
      for (const r of rows) into.set(r.id, Number(r.n));
    };
    await Promise.all([count(User, accounts), count(License, licenses)]);
    return { accounts, licenses };
  }
}

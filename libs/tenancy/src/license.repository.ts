import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { offsetOf, Page, PageRequest } from '@lmp/common';
import { Customer, insertRows, License, Partner, ReadReplicas } from '@lmp/database';
import type { LicenseStatus } from './views';

/** The derived status as SQL: the same rules as licenseStatus, on the dates at `now`. */
export interface LicenseListFilter {
  status?: LicenseStatus;
  /** Only licenses expiring before this moment. */
  expiresBefore?: Date;
  product?: string;
  customerId?: string;
}

export const LICENSE_LIST_SORT = {
  expiresAt: 'l.expires_at',
  product: 'l.product',
  companyName: 'c.company_name',
  seats: 'l.seats',
} as const;
export type LicenseListSortField = (typeof LICENSE_LIST_SORT)[keyof typeof LICENSE_LIST_SORT];

/** A license with its customer's name, as the partner's list across customers shows it. */
export type LicenseWithCustomer = License & { companyName: string };

export type LicenseListSort = { field: LicenseListSortField; direction: 'ASC' | 'DESC' };

/** What the derived status depends on: the moment, the expiring window and the partner's grace days. */
export interface LicenseTerms {
  now: Date;
  expiringDays: number;
  graceDays: number;
}

const DAY_MS = 86_400_000;
/** Licenses read per batch of an export. */
export const LICENSE_EXPORT_BATCH = 1000;

/** The entities with their customer's name, taken from the raw rows by license id. */
function withNames(entities: License[], raw: Array<Record<string, unknown>>): LicenseWithCustomer[] {
  const names = new Map<string, string>();
  for (const r of raw) names.set(String(r.l_id), String(r.companyName));
  return entities.map((l) => Object.assign(l, { companyName: names.get(l.id) ?? '' }));
}

/** Licenses, reached only through a customer of the given partner. */
@Injectable()
export class LicenseRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  private scoped(partnerId: string, customerId: string, em?: EntityManager) {
    return (em ?? this.dataSource.manager)
      .getRepository(License)
      .createQueryBuilder('l')
      .innerJoin('customers', 'c', 'c.id = l.customer_id')
      .where('c.partner_id = :partnerId AND l.customer_id = :customerId', { partnerId, customerId });
  }

  /** A customer's licenses tab: a browse read, on a read replica when there is a usable one. */
  list(partnerId: string, customerId: string): Promise<License[]> {
    return this.replicas.read((em) =>
      this.scoped(partnerId, customerId, em).orderBy('l.expires_at', 'ASC').addOrderBy('l.id', 'ASC').getMany(),
    );
  }

  findOne(partnerId: string, customerId: string, licenseId: string, em?: EntityManager): Promise<License | null> {
    return this.scoped(partnerId, customerId, em).andWhere('l.id = :licenseId', { licenseId }).getOne();
  }

  /** Changes a license of one of the partner's customers; the tenant is in the WHERE clause too. */
  async update(
    em: EntityManager,
    partnerId: string,
    customerId: string,
    licenseId: string,
    changes: Partial<Pick<License, 'product' | 'seats' | 'startsAt' | 'expiresAt' | 'status'>>,
  ): Promise<void> {
    await em
      .createQueryBuilder()
      .update(License)
      .set(changes)
      .where('id = :licenseId AND customer_id = :customerId', { licenseId, customerId })
      .andWhere('customer_id IN (SELECT c.id FROM customers c WHERE c.partner_id = :partnerId)', { partnerId })
      .execute();
  }

  /** The grace period of the partner that sells to this customer (0 when none). */
  async graceDaysOfCustomer(customerId: string): Promise<number> {
    const row: { grace?: unknown } | undefined = await this.dataSource
      .createQueryBuilder()
      .select('p.license_grace_days', 'grace')
      .from(Customer, 'c')
      .innerJoin(Partner, 'p', 'p.id = c.partner_id')
      .where('c.id = :customerId', { customerId })
      .getRawOne();
    return Number(row?.grace ?? 0);
  }

  /** A customer company's own licenses (the company's users see them). */
  listOfCustomer(customerId: string): Promise<License[]> {
    return this.dataSource
      .getRepository(License)
      .createQueryBuilder('l')
      .where('l.customer_id = :customerId', { customerId })
      .orderBy('l.expires_at', 'ASC')
      .addOrderBy('l.id', 'ASC')
      .getMany();
  }

  /**
   * The partner's licenses across its customers, filtered by the derived status at `now` (the
   * partner's grace days and the expiring window decide the edges), one page.
   */
  listOfPartner(
    partnerId: string,
    filter: LicenseListFilter,
    terms: LicenseTerms,
    page: PageRequest,
    sort: LicenseListSort,
  ): Promise<Page<LicenseWithCustomer>> {
    return this.replicas.read((em) => this.listOfPartnerOn(em, partnerId, filter, terms, page, sort));
  }

  private async listOfPartnerOn(
    em: EntityManager,
    partnerId: string,
    filter: LicenseListFilter,
    terms: LicenseTerms,
    page: PageRequest,
    sort: LicenseListSort,
  ): Promise<Page<LicenseWithCustomer>> {
    const qb = this.ofPartner(em, partnerId, filter, terms);
    const total = await qb.clone().getCount();
    const { entities, raw } = await qb
      .orderBy(sort.field, sort.direction)
      .addOrderBy('l.id', sort.direction)
      .offset(offsetOf(page))
      .limit(page.pageSize)
      .getRawAndEntities();
    return { items: withNames(entities, raw), total, page: page.page, pageSize: page.pageSize };
  }

  /**
   * Every license the partner's list shows for `filter`, in the list's order, a batch at a time,
   * for exports. Keyset pages as CustomerRepository.batches: each batch starts after the sort key
   * of the last one's final row; each is a browse read, on a read replica when there is a usable one.
   */
  async *batchesOfPartner(
    partnerId: string,
    filter: LicenseListFilter,
    terms: LicenseTerms,
    sort: LicenseListSort,
    size = LICENSE_EXPORT_BATCH,
  ): AsyncGenerator<LicenseWithCustomer[]> {
    const { field, direction } = sort;
    const op = direction === 'ASC' ? '>' : '<';
    let after: { value: unknown; id: string } | undefined;
    for (;;) {
      const batch = (em: EntityManager) => {
        const qb = this.ofPartner(em, partnerId, filter, terms)
          .addSelect(field, 'sort_key')
          .orderBy(field, direction)
          .addOrderBy('l.id', direction)
          .limit(size);
        // (field, id) past the last row's, written so the leading bound is an index range.
        if (after)
          qb.andWhere(`${field} ${op}= :afterValue AND (${field} ${op} :afterValue OR l.id ${op} :afterId)`, {
            afterValue: after.value,
            afterId: after.id,
          });
        return qb.getRawAndEntities<Record<string, unknown>>();
      };
      const { entities, raw } = await this.replicas.read(batch);
      if (entities.length === 0) return;
      yield withNames(entities, raw);
      if (entities.length < size) return;
      const last = raw[raw.length - 1];
      // The key as the database gave it, so it compares the same way on the way back.
      after = { value: last.sort_key, id: String(last.l_id) };
    }
  }

  /** The partner's licenses with their customer's name, filtered by the derived status at `now`. */
  private ofPartner(em: EntityManager, partnerId: string, filter: LicenseListFilter, terms: LicenseTerms) {
    const { now, expiringDays, graceDays } = terms;
    const qb = em
      .getRepository(License)
      .createQueryBuilder('l')
      .innerJoin(Customer, 'c', 'c.id = l.customer_id')
      .addSelect('c.company_name', 'companyName')
      .where('c.partner_id = :partnerId', { partnerId });
    const notSuspended = "l.status <> 'suspended'";
    const p = {
      now,
      graceEnd: new Date(now.getTime() - graceDays * DAY_MS),
      expiringEnd: new Date(now.getTime() + expiringDays * DAY_MS),
    };
    switch (filter.status) {
      case 'suspended':
        qb.andWhere("l.status = 'suspended'");
        break;
      case 'expired':
        qb.andWhere(`${notSuspended} AND l.expires_at <= :graceEnd`, p);
        break;
      case 'grace':
        qb.andWhere(`${notSuspended} AND l.expires_at <= :now AND l.expires_at > :graceEnd`, p);
        break;
      case 'scheduled':
        qb.andWhere(`${notSuspended} AND l.starts_at > :now AND l.expires_at > :now`, p);
        break;
      case 'expiring':
        qb.andWhere(
          `${notSuspended} AND l.starts_at <= :now AND l.expires_at > :now AND l.expires_at <= :expiringEnd`,
          p,
        );
        break;
      case 'active':
        qb.andWhere(`${notSuspended} AND l.starts_at <= :now AND l.expires_at > :expiringEnd`, p);
        break;
    }
    if (filter.expiresBefore) qb.andWhere('l.expires_at < :before', { before: filter.expiresBefore });
    if (filter.product) qb.andWhere('l.product = :product', { product: filter.product });
    if (filter.customerId) qb.andWhere('l.customer_id = :customerId', { customerId: filter.customerId });
    return qb;
  }

  async insert(em: EntityManager, license: License): Promise<void> {
    await insertRows(em, License, license);
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Customer, License, LicenseDigest, LicenseNotice, Partner, User } from '@lmp/database';

/** A partner whose customers get expiry notices, with its settings. */
export interface NoticePartner {
  id: string;
  name: string;
  days: string;
  graceDays: number;
}

/** A license the scan looks at: within the window, not suspended, of an active customer. */
export interface NoticeCandidate {
  id: string;
  customerId: string;
  partnerId: string;
  companyName: string;
  product: string;
  seats: number;
  expiresAt: Date;
}

export interface NoticeRecipient {
  ownerId: string;
  email: string;
  firstName: string;
}

/** A notice as its digest lists it. */
export interface DigestLine {
  customerId: string;
  companyName: string;
  product: string;
  seats: number;
  expiresAt: Date;
  thresholdDays: number;
}

/** Raw datetimes: Date objects from mysql2, UTC text ("2030-03-08 09:00:00.000") from SQLite. */
export function rawDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/**
 * The expiry scan's queries. Each (license, expiry, threshold) and each (partner, day) is
 * claimed by an insert that a unique key makes happen once: INSERT IGNORE (MySQL) or INSERT OR
 * IGNORE (SQLite) answers how many rows it added, so "already sent" is decided by the database
 * in the same statement, and a second scan, even at the same moment, skips it.
 */
@Injectable()
export class LicenseNoticeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async noticePartners(): Promise<NoticePartner[]> {
    const rows = await this.dataSource
      .getRepository(Partner)
      .createQueryBuilder('p')
      .select(['p.id', 'p.name', 'p.licenseNoticeDays', 'p.licenseGraceDays'])
      .where('p.license_notices = :on AND p.status = :active', { on: true, active: 'active' })
      .getMany();
    return rows.map((p) => ({ id: p.id, name: p.name, days: p.licenseNoticeDays, graceDays: p.licenseGraceDays }));
  }

  /**
   * One keyset page of licenses expiring in [from, to), in (expires_at, id) order, after `after`.
   * It walks IDX_licenses_expires; each page is a bounded read whatever the table's size. The
   * partner's switch is checked by the caller (noticePartners): joining partners here made
   * MariaDB leave the index order and sort the rest of the window again for every page.
   */
  async candidates(
    from: Date,
    to: Date,
    after: { expiresAt: Date; id: string } | null,
    limit: number,
  ): Promise<NoticeCandidate[]> {
    const qb = this.dataSource
      .getRepository(License)
      .createQueryBuilder('l')
      .innerJoin(Customer, 'c', 'c.id = l.customer_id')
      .select([
        'l.id AS id',
        'l.customer_id AS customerId',
        'c.partner_id AS partnerId',
        'c.company_name AS companyName',
        'l.product AS product',
        'l.seats AS seats',
        'l.expires_at AS expiresAt',
      ])
      .where('l.expires_at >= :from AND l.expires_at < :to', { from, to })
      .andWhere("l.status <> 'suspended' AND c.status = 'active'");
    if (after) {
      qb.andWhere('(l.expires_at > :afterAt OR (l.expires_at = :afterAt AND l.id > :afterId))', {
        afterAt: after.expiresAt,
        afterId: after.id,
      });
    }
    const rows = await qb.orderBy('l.expires_at', 'ASC').addOrderBy('l.id', 'ASC').limit(limit).getRawMany();
    return rows.map((r: Record<string, unknown>) => ({
      id: String(r.id),
      customerId: String(r.customerId),
      partnerId: String(r.partnerId),
      companyName: String(r.companyName),
      product: String(r.product),
      seats: Number(r.seats),
      expiresAt: rawDate(r.expiresAt),
    }));
  }

  /** The notices already recorded for these licenses (any expiry). */
  async noticesOf(
    licenseIds: string[],
  ): Promise<Array<Pick<LicenseNotice, 'licenseId' | 'expiresAt' | 'thresholdDays'>>> {
    if (licenseIds.length === 0) return [];
    return this.dataSource
      .getRepository(LicenseNotice)
      .createQueryBuilder('n')
      .select(['n.licenseId', 'n.expiresAt', 'n.thresholdDays'])
      .where('n.license_id IN (:...licenseIds)', { licenseIds })
      .getMany();
  }

  /** Full Access users of these customers, invited or active (ownerId: their customer). */
  async fullAccessUsers(customerIds: string[]): Promise<NoticeRecipient[]> {
    if (customerIds.length === 0) return [];
    const users = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .select(['u.customerId', 'u.email', 'u.firstName'])
      .where("u.customer_id IN (:...customerIds) AND u.role = 'full_access' AND u.status <> 'disabled'", {
        customerIds,
      })
      .orderBy('u.email', 'ASC')
      .getMany();
    return users.map((u) => ({ ownerId: u.customerId!, email: u.email, firstName: u.firstName || u.email }));
  }

  /** Admins of a partner, invited or active. */
  async partnerAdmins(em: EntityManager, partnerId: string): Promise<NoticeRecipient[]> {
    const users = await em
      .getRepository(User)
      .createQueryBuilder('u')
      .select(['u.partnerId', 'u.email', 'u.firstName'])
      .where("u.partner_id = :partnerId AND u.role = 'partner_admin' AND u.status <> 'disabled'", { partnerId })
      .orderBy('u.email', 'ASC')
      .getMany();
    return users.map((u) => ({ ownerId: partnerId, email: u.email, firstName: u.firstName || u.email }));
  }

  async partnerName(em: EntityManager, partnerId: string): Promise<string> {
    const p = await em.getRepository(Partner).findOne({ where: { id: partnerId }, select: ['id', 'name'] });
    return p?.name ?? '';
  }

  /** Records a notice unless its (license, expiry, threshold) is recorded already; true when this call did. */
  insertNoticeOnce(em: EntityManager, notice: LicenseNotice): Promise<boolean> {
    return this.insertOnce(em, LicenseNotice, notice);
  }

  /** Records the partner's digest of the day unless one exists; true when this call did. */
  insertDigestOnce(em: EntityManager, digest: LicenseDigest): Promise<boolean> {
    return this.insertOnce(em, LicenseDigest, digest);
  }

  /** Partners with notices that no digest has listed yet. */
  async partnersAwaitingDigest(): Promise<string[]> {
    const rows: Array<{ partnerId: string }> = await this.dataSource
      .getRepository(LicenseNotice)
      .createQueryBuilder('n')
      .select('DISTINCT n.partner_id', 'partnerId')
      .where('n.digest_id IS NULL')
      .getRawMany();
    return rows.map((r) => r.partnerId);
  }

  /** Hands the partner's unlisted notices to this digest; how many it took. */
  async claimForDigest(em: EntityManager, partnerId: string, digestId: string): Promise<number> {
    const res = await em
      .createQueryBuilder()
      .update(LicenseNotice)
      .set({ digestId })
      .where('partner_id = :partnerId AND digest_id IS NULL', { partnerId })
      .execute();
    return res.affected ?? 0;
  }

  async digestLines(em: EntityManager, digestId: string): Promise<DigestLine[]> {
    const rows = await em
      .getRepository(LicenseNotice)
      .createQueryBuilder('n')
      .innerJoin(License, 'l', 'l.id = n.license_id')
      .innerJoin(Customer, 'c', 'c.id = n.customer_id')
      .select([
        'n.customer_id AS customerId',
        'c.company_name AS companyName',
        'l.product AS product',
        'l.seats AS seats',
        'n.expires_at AS expiresAt',
        'n.threshold_days AS thresholdDays',
      ])
      .where('n.digest_id = :digestId', { digestId })
      .orderBy('n.expires_at', 'ASC')
      .addOrderBy('c.company_name', 'ASC')
      .getRawMany();
    return rows.map((r: Record<string, unknown>) => ({
      customerId: String(r.customerId),
      companyName: String(r.companyName),
      product: String(r.product),
      seats: Number(r.seats),
      expiresAt: rawDate(r.expiresAt),
      thresholdDays: Number(r.thresholdDays),
    }));
  }

  private async insertOnce<T extends object>(em: EntityManager, target: new () => T, row: T): Promise<boolean> {
    const [sql, params] = em.createQueryBuilder().insert().into(target).values(row).orIgnore().getQueryAndParameters();
    if (!em.queryRunner) throw new Error('insertOnce runs inside a transaction');
    const result = await em.queryRunner.query(sql, params, true);
    return (result.affected ?? 0) > 0;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock } from '@lmp/common';
import { AuditEvent, FlatJson, newId, User } from '@lmp/database';
import { Page, PageRequest, offsetOf } from '@lmp/common';
import { AuditAction } from './audit-actions';

export interface AuditEntry {
  action: AuditAction;
  actorUserId?: string | null;
  partnerId?: string | null;
  customerId?: string | null;
  targetUserId?: string | null;
  ip?: string | null;
  detail?: FlatJson;
}

export interface AuditFilter {
  customerId?: string;
  action?: string;
}

/** An event with the email addresses of its actor and target, as far as those users still exist. */
export interface AuditRow extends AuditEvent {
  actorEmail: string | null;
  targetEmail: string | null;
}

/** Records audit events (inside the caller's transaction) and lists a partner's own events. */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(em: EntityManager, entry: AuditEntry): Promise<void> {
    await em.insert(AuditEvent, {
      id: newId(),
      at: this.clock.now(),
      action: entry.action,
      actorUserId: entry.actorUserId ?? null,
      partnerId: entry.partnerId ?? null,
      customerId: entry.customerId ?? null,
      targetUserId: entry.targetUserId ?? null,
      ip: entry.ip ?? null,
      detail: entry.detail ?? null,
    });
  }

  /** Events of one partner, newest first. The partner id is required: no unscoped listing exists. */
  async listForPartner(partnerId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRow>> {
    const qb = this.dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('a')
      .where('a.partner_id = :partnerId', { partnerId });
    if (filter.customerId) qb.andWhere('a.customer_id = :customerId', { customerId: filter.customerId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    const [items, total] = await qb
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .skip(offsetOf(page))
      .take(page.pageSize)
      .getManyAndCount();
    const emails = await this.emailsOf(items.flatMap((e) => [e.actorUserId, e.targetUserId]));
    const rows = items.map((e) => ({
      ...e,
      actorEmail: (e.actorUserId && emails.get(e.actorUserId)) || null,
      targetEmail: (e.targetUserId && emails.get(e.targetUserId)) || null,
    }));
    return { items: rows, total, page: page.page, pageSize: page.pageSize };
  }

  /**
   * Every event of the partner matching the filter, newest first, a batch at a time (exports):
   * keyset pages on (at, id), each starting after the last row of the one before.
   */
  async *batchesForPartner(partnerId: string, filter: AuditFilter, size = 1000): AsyncGenerator<AuditRow[]> {
    let after: { at: unknown; id: string } | undefined;
    for (;;) {
      const qb = this.dataSource
        .getRepository(AuditEvent)
        .createQueryBuilder('a')
        .where('a.partner_id = :partnerId', { partnerId });
      if (filter.customerId) qb.andWhere('a.customer_id = :customerId', { customerId: filter.customerId });
      if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
      if (after)
        qb.andWhere('a.at <= :afterAt AND (a.at < :afterAt OR a.id < :afterId)', {
          afterAt: after.at,
          afterId: after.id,
        });
      const { entities, raw } = await qb
        .orderBy('a.at', 'DESC')
        .addOrderBy('a.id', 'DESC')
        .limit(size)
        .getRawAndEntities<{ a_at: unknown; a_id: string }>();
      if (entities.length === 0) return;
      const emails = await this.emailsOf(entities.flatMap((e) => [e.actorUserId, e.targetUserId]));
      yield entities.map((e) => ({
        ...e,
        actorEmail: (e.actorUserId && emails.get(e.actorUserId)) || null,
        targetEmail: (e.targetUserId && emails.get(e.targetUserId)) || null,
      }));
      if (entities.length < size) return;
      // The key as the database gave it, so it compares the same way on the way back.
      after = { at: raw[raw.length - 1].a_at, id: raw[raw.length - 1].a_id };
    }
  }

  /**
   * Emails of the people one page of events names. Only ids taken from the partner's own events
   * are looked up, so this stays within the tenant; one query per page, whatever the page size.
   */
  private async emailsOf(ids: Array<string | null>): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (wanted.length === 0) return new Map();
    const users = await this.dataSource
      .getRepository(User)
      .find({ select: ['id', 'email'], where: { id: In(wanted) } });
    return new Map(users.map((u) => [u.id, u.email]));
  }
}

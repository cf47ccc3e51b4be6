import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '@lmp/common';
import { AuditEvent, FlatJson, newId } from '@lmp/database';
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
  async listForPartner(partnerId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEvent>> {
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
    return { items, total, page: page.page, pageSize: page.pageSize };
  }
}

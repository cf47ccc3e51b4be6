import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Clock } from '@lmp/common';
import { ApiToken, AuditEvent, FlatJson, newId, ReadReplicas, User } from '@lmp/database';
import { Page, PageRequest, offsetOf } from '@lmp/common';
import { AuditAction } from './audit-actions';

export interface AuditEntry {
  action: AuditAction;
  actorUserId?: string | null;
  /** The partner API token that acted, when no user did. */
  actorTokenId?: string | null;
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

/**
 * An event with the email addresses of its actor and target, as far as those users still exist,
 * and the name of the API token that acted, when one did.
 */
export interface AuditRow extends AuditEvent {
  actorEmail: string | null;
  actorTokenName: string | null;
  targetEmail: string | null;
}

/** Records audit events (inside the caller's transaction) and lists a partner's own events. */
@Injectable()
export class AuditService {
  constructor(
    private readonly clock: Clock,
    private readonly replicas: ReadReplicas,
  ) {}

  async record(em: EntityManager, entry: AuditEntry): Promise<void> {
    await em.insert(AuditEvent, {
      id: newId(),
      at: this.clock.now(),
      action: entry.action,
      actorUserId: entry.actorUserId ?? null,
      actorTokenId: entry.actorTokenId ?? null,
      partnerId: entry.partnerId ?? null,
      customerId: entry.customerId ?? null,
      targetUserId: entry.targetUserId ?? null,
      ip: entry.ip ?? null,
      detail: entry.detail ?? null,
    });
  }

  /**
   * Events of one partner, newest first. The partner id is required: no unscoped listing exists.
   * A browse read: on a read replica when there is a usable one.
   */
  listForPartner(partnerId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRow>> {
    return this.replicas.read((em) => this.listOn(em, partnerId, filter, page));
  }

  private async listOn(
    em: EntityManager,
    partnerId: string,
    filter: AuditFilter,
    page: PageRequest,
  ): Promise<Page<AuditRow>> {
    const qb = em.getRepository(AuditEvent).createQueryBuilder('a').where('a.partner_id = :partnerId', { partnerId });
    if (filter.customerId) qb.andWhere('a.customer_id = :customerId', { customerId: filter.customerId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    const [items, total] = await qb
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .skip(offsetOf(page))
      .take(page.pageSize)
      .getManyAndCount();
    const rows = await this.withNames(em, partnerId, items);
    return { items: rows, total, page: page.page, pageSize: page.pageSize };
  }

  /**
   * Every event of the partner matching the filter, newest first, a batch at a time (exports):
   * keyset pages on (at, id), each starting after the last row of the one before.
   */
  async *batchesForPartner(partnerId: string, filter: AuditFilter, size = 1000): AsyncGenerator<AuditRow[]> {
    let after: { at: unknown; id: string } | undefined;
    for (;;) {
      const cursor = after;
      const batch = await this.replicas.read(async (em) => {
        const qb = em
          .getRepository(AuditEvent)
          .createQueryBuilder('a')
          .where('a.partner_id = :partnerId', { partnerId });
        if (filter.customerId) qb.andWhere('a.customer_id = :customerId', { customerId: filter.customerId });
        if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
        if (cursor)
          qb.andWhere('a.at <= :afterAt AND (a.at < :afterAt OR a.id < :afterId)', {
            afterAt: cursor.at,
            afterId: cursor.id,
          });
        const { entities, raw } = await qb
          .orderBy('a.at', 'DESC')
          .addOrderBy('a.id', 'DESC')
          .limit(size)
          .getRawAndEntities<{ a_at: unknown; a_id: string }>();
        return { rows: await this.withNames(em, partnerId, entities), last: raw[raw.length - 1] };
      });
      if (batch.rows.length === 0) return;
      yield batch.rows;
      if (batch.rows.length < size) return;
      // The key as the database gave it, so it compares the same way on the way back.
      after = { at: batch.last.a_at, id: batch.last.a_id };
    }
  }

  /** One page of events with the emails of the people and the names of the tokens they name. */
  private async withNames(em: EntityManager, partnerId: string, items: AuditEvent[]): Promise<AuditRow[]> {
    const emails = await this.emailsOf(
      em,
      items.flatMap((e) => [e.actorUserId, e.targetUserId]),
    );
    const tokens = await this.tokenNamesOf(
      em,
      partnerId,
      items.map((e) => e.actorTokenId),
    );
    return items.map((e) => ({
      ...e,
      actorEmail: (e.actorUserId && emails.get(e.actorUserId)) || null,
      actorTokenName: (e.actorTokenId && tokens.get(e.actorTokenId)) || null,
      targetEmail: (e.targetUserId && emails.get(e.targetUserId)) || null,
    }));
  }

  /**
   * Emails of the people one page of events names. Only ids taken from the partner's own events
   * are looked up, so this stays within the tenant; one query per page, whatever the page size.
   */
  private async emailsOf(em: EntityManager, ids: Array<string | null>): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (wanted.length === 0) return new Map();
    const users = await em.getRepository(User).find({ select: ['id', 'email'], where: { id: In(wanted) } });
    return new Map(users.map((u) => [u.id, u.email]));
  }

  /** Names of the partner's own API tokens that acted on one page of events (revoked ones too). */
  private async tokenNamesOf(
    em: EntityManager,
    partnerId: string,
    ids: Array<string | null>,
  ): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (wanted.length === 0) return new Map();
    const tokens = await em
      .getRepository(ApiToken)
      .find({ select: ['id', 'name'], where: { partnerId, id: In(wanted) } });
    return new Map(tokens.map((t) => [t.id, t.name]));
  }
}

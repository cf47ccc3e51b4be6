import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { ActionToken, Customer, OutboxMessage, User } from '@lmp/database';

export interface ResetRequestRow {
  token: ActionToken;
  outbox: Pick<OutboxMessage, 'status' | 'lastError' | 'sentAt'> | null;
  accountId: string;
  customerId: string;
  /** Who asked for it, while that staff member's account exists. */
  requestedByEmail: string | null;
}

/** Password-reset requests (reset tokens) of a partner's accounts, with their delivery status. */
@Injectable()
export class ResetRequestRepository {
  constructor(private readonly dataSource: DataSource) {}

  private scoped(partnerId: string) {
    return this.dataSource
      .getRepository(ActionToken)
      .createQueryBuilder('t')
      .innerJoin(User, 'u', 'u.id = t.user_id')
      .innerJoin(Customer, 'c', 'c.id = u.customer_id')
      .leftJoin(User, 'r', 'r.id = t.requested_by')
      .addSelect('u.customer_id', 'customer_id')
      .addSelect('r.email', 'requested_by_email')
      .where('c.partner_id = :partnerId', { partnerId })
      .andWhere('t.purpose = :purpose', { purpose: 'password_reset' });
  }

  async findOne(partnerId: string, requestId: string): Promise<ResetRequestRow | null> {
    const rows = await this.rows(this.scoped(partnerId).andWhere('t.id = :requestId', { requestId }));
    return rows[0] ?? null;
  }

  listForAccount(partnerId: string, accountId: string, limit = 10): Promise<ResetRequestRow[]> {
    return this.rows(
      this.scoped(partnerId)
        .andWhere('t.user_id = :accountId', { accountId })
        .orderBy('t.created_at', 'DESC')
        .limit(limit),
    );
  }

  private async rows(qb: ReturnType<ResetRequestRepository['scoped']>): Promise<ResetRequestRow[]> {
    const { entities, raw } = await qb.getRawAndEntities<{
      t_id: string;
      customer_id: string;
      requested_by_email: string | null;
    }>();
    const outboxIds = entities.map((t) => t.outboxId).filter((id): id is string => id !== null);
    const outboxes = outboxIds.length
      ? await this.dataSource.getRepository(OutboxMessage).find({
          select: ['id', 'status', 'lastError', 'sentAt'],
          where: { id: In(outboxIds) },
        })
      : [];
    const byId = new Map(outboxes.map((o) => [o.id, o]));
    return entities.map((token) => {
      const extra = raw.find((r) => r.t_id === token.id);
      return {
        token,
        outbox: (token.outboxId && byId.get(token.outboxId)) || null,
        accountId: token.userId,
        customerId: extra?.customer_id ?? '',
        requestedByEmail: extra?.requested_by_email ?? null,
      };
    });
  }
}

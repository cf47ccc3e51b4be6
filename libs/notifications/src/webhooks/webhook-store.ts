import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ActionToken, Customer, newId, User, Webhook, WebhookAttempt } from '@lmp/database';

/** What the delivery side needs of a webhook. */
export type DeliveryTarget = Pick<Webhook, 'id' | 'partnerId' | 'url' | 'secret' | 'enabled'>;

/** A password-reset mail's request, for the `password_reset.*` events of the partner it belongs to. */
export interface ResetMailOwner {
  partnerId: string;
  requestId: string;
  accountId: string;
  customerId: string;
}

/**
 * The queries of webhook delivery: who is subscribed (inside the recording transaction), what
 * a delivery is sent to, and the record of each attempt. Counters move in single statements.
 */
@Injectable()
export class WebhookStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The partner's enabled webhooks and their events: one query on (partner_id, enabled). */
  enabledOf(em: EntityManager, partnerId: string): Promise<Array<Pick<Webhook, 'id' | 'events'>>> {
    return em.getRepository(Webhook).find({ select: ['id', 'events'], where: { partnerId, enabled: true } });
  }

  findTarget(id: string): Promise<DeliveryTarget | null> {
    return this.dataSource.getRepository(Webhook).findOne({
      select: ['id', 'partnerId', 'url', 'secret', 'enabled'],
      where: { id },
    });
  }

  async recordAttempt(em: EntityManager, attempt: Omit<WebhookAttempt, 'id' | 'createdAt'>, now: Date): Promise<void> {
    await em.getRepository(WebhookAttempt).insert({ ...attempt, id: newId(), createdAt: now });
  }

  /** A delivery got through: the run of dead ones ends. */
  async resetDeadRun(em: EntityManager, webhookId: string): Promise<void> {
    await em
      .createQueryBuilder()
      .update(Webhook)
      .set({ deadInARow: 0 })
      .where('id = :id AND dead_in_a_row <> 0', { id: webhookId })
      .execute();
  }

  /**
   * Counts one more dead delivery and disables the webhook when the run reaches `limit`. True
   * for the one call that disabled it (the one that tells the partner's admins).
   */
  async countDead(em: EntityManager, webhookId: string, limit: number, reason: string, now: Date): Promise<boolean> {
    await em
      .createQueryBuilder()
      .update(Webhook)
      .set({ deadInARow: () => 'dead_in_a_row + 1' })
      .where('id = :id', { id: webhookId })
      .execute();
    const res = await em
      .createQueryBuilder()
      .update(Webhook)
      .set({ enabled: false, disabledReason: reason.slice(0, 200), updatedAt: now })
      .where('id = :id AND enabled = :on AND dead_in_a_row >= :limit', { id: webhookId, on: true, limit })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  /** The partner's active admins, who are told when a webhook is disabled. */
  adminsOf(em: EntityManager, partnerId: string): Promise<Array<Pick<User, 'email' | 'firstName'>>> {
    return em.getRepository(User).find({
      select: ['email', 'firstName'],
      where: { partnerId, role: 'partner_admin', status: 'active' },
    });
  }

  /** The partner and request of a password-reset mail sent to one of its customers' accounts, if it is one. */
  async resetMailOwner(outboxId: string): Promise<ResetMailOwner | null> {
    const [owner] = await this.resetMailOwners(this.dataSource.manager, [outboxId]);
    return owner ?? null;
  }

  /**
   * The partner-side owners of the reset mails among `outboxIds` (a mail of another kind, or a
   * reset of an account outside any partner's customers, has none): one query for a batch.
   */
  resetMailOwners(em: EntityManager, outboxIds: string[]): Promise<Array<ResetMailOwner & { outboxId: string }>> {
    if (outboxIds.length === 0) return Promise.resolve([]);
    return em
      .getRepository(ActionToken)
      .createQueryBuilder('t')
      .innerJoin(User, 'u', 'u.id = t.user_id')
      .innerJoin(Customer, 'c', 'c.id = u.customer_id')
      .select('t.outbox_id', 'outboxId')
      .addSelect('t.id', 'requestId')
      .addSelect('u.id', 'accountId')
      .addSelect('c.id', 'customerId')
      .addSelect('c.partner_id', 'partnerId')
      .where('t.outbox_id IN (:...outboxIds) AND t.purpose = :purpose', { outboxIds, purpose: 'password_reset' })
      .getRawMany<ResetMailOwner & { outboxId: string }>();
  }
}

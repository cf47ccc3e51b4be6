import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { insertRows, OutboxMessage, Webhook, WebhookAttempt } from '@lmp/database';

/** How many deliveries the list shows, newest first. */
export const DELIVERIES_SHOWN = 100;

/** A delivery not yet attempted: the deliveries list shows it as pending. */
export type PendingDelivery = Pick<OutboxMessage, 'id' | 'template' | 'createdAt' | 'payload'>;

/** A partner's webhooks: every query has the partner in its WHERE clause. */
@Injectable()
export class WebhookRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(Webhook);
  }

  list(partnerId: string): Promise<Webhook[]> {
    return this.repo().find({ where: { partnerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findOne(partnerId: string, id: string, em?: EntityManager): Promise<Webhook | null> {
    return this.repo(em).findOneBy({ partnerId, id });
  }

  async insert(em: EntityManager, webhook: Webhook): Promise<void> {
    await insertRows(em, Webhook, webhook);
  }

  async update(
    em: EntityManager,
    partnerId: string,
    id: string,
    changes: Partial<Pick<Webhook, 'url' | 'events' | 'enabled' | 'disabledReason' | 'deadInARow' | 'updatedAt'>>,
  ): Promise<void> {
    await this.repo(em).update({ partnerId, id }, changes);
  }

  /** Deletes the webhook and its attempts; true when it was the partner's. */
  async delete(em: EntityManager, partnerId: string, id: string): Promise<boolean> {
    const own = await this.repo(em).findOne({ select: ['id'], where: { partnerId, id } });
    if (!own) return false;
    await em.getRepository(WebhookAttempt).delete({ webhookId: id });
    const res = await this.repo(em).delete({ partnerId, id });
    return (res.affected ?? 0) > 0;
  }

  /** The webhook's latest attempts (the caller checked that the webhook is the partner's). */
  attempts(webhookId: string): Promise<WebhookAttempt[]> {
    return this.dataSource.getRepository(WebhookAttempt).find({
      where: { webhookId },
      order: { createdAt: 'DESC', attempt: 'DESC' },
      take: DELIVERIES_SHOWN,
    });
  }

  /** Deliveries to the webhook not attempted yet. */
  pending(webhookId: string): Promise<PendingDelivery[]> {
    return this.dataSource.getRepository(OutboxMessage).find({
      select: ['id', 'template', 'createdAt', 'payload'],
      where: { kind: 'webhook', recipient: webhookId, status: In(['pending', 'queued', 'sending']), attempts: 0 },
      order: { createdAt: 'DESC' },
      take: DELIVERIES_SHOWN,
    });
  }
}

import { Injectable } from '@nestjs/common';
import { Clock } from '@lmp/common';
import { newId, Tx } from '@lmp/database';
import { OutboxWriter } from './outbox.writer';
import { WebhookStore } from './webhooks/webhook-store';

/** Every event a partner's webhooks can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'customer.created',
  'customer.changed',
  'account.created',
  'account.changed',
  'password_reset.requested',
  'password_reset.sent',
  'password_reset.failed',
  'password_reset.used',
  'license.created',
  'license.changed',
  'license.expiring',
  'license.expired',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The event a webhook's "send test" delivers; no webhook subscribes to it. */
export const PING_EVENT = 'ping';

export interface PartnerEvent {
  partnerId: string;
  type: WebhookEventType;
  /** The event's `data`: ids and the fields a receiver needs, never secrets. */
  data: Record<string, unknown>;
}

/**
 * Records a partner event inside the caller's transaction, so it is delivered to the
 * partner's subscribed webhooks exactly when the change that caused it commits: one outbox row
 * per subscribed webhook, all carrying the same event (same id, same body).
 */
@Injectable()
export class PartnerEvents {
  constructor(
    private readonly store: WebhookStore,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  /** A partner without webhooks costs one indexed query (partner_id, enabled) and nothing else. */
  async record(tx: Tx, event: PartnerEvent): Promise<void> {
    const hooks = await this.store.enabledOf(tx.em, event.partnerId);
    const subscribed = hooks.filter((h) => h.events.split(',').includes(event.type));
    if (subscribed.length === 0) return;
    const { id, body } = this.compose(event.partnerId, event.type, event.data);
    for (const hook of subscribed) await this.outbox.webhook(tx, hook.id, event.type, { eventId: id, body });
  }

  /** A `ping` event for one webhook (its "send test"), whatever it subscribes to. Returns the event id. */
  async ping(tx: Tx, partnerId: string, webhookId: string): Promise<string> {
    const { id, body } = this.compose(partnerId, PING_EVENT, { webhookId });
    await this.outbox.webhook(tx, webhookId, PING_EVENT, { eventId: id, body });
    return id;
  }

  private compose(partnerId: string, type: string, data: Record<string, unknown>) {
    const id = newId();
    const body = JSON.stringify({ id, type, occurredAt: this.clock.now().toISOString(), partnerId, data });
    return { id, body };
  }
}

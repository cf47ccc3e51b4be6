import { Webhook, WebhookAttempt } from '@lmp/database';
import { PendingDelivery } from './webhook.repository';

/** A webhook as the API shows it: never its secret. */
export function webhookView(w: Webhook) {
  return {
    id: w.id,
    url: w.url,
    events: w.events.split(',').filter((e) => e !== ''),
    enabled: w.enabled,
    disabledReason: w.disabledReason,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}
export type WebhookView = ReturnType<typeof webhookView>;

/** One attempt of a delivery, or a delivery still waiting for its first (attempt 0, `pending`). */
export interface DeliveryView {
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  state: 'pending' | 'delivered' | 'retrying' | 'dead';
  at: string;
}

/** Pending deliveries first, then attempts, newest first. */
export function deliveryViews(attempts: WebhookAttempt[], pending: PendingDelivery[]): DeliveryView[] {
  return [
    ...pending.map((p): DeliveryView => ({
      deliveryId: p.id,
      eventId: typeof p.payload?.eventId === 'string' ? p.payload.eventId : p.id,
      eventType: p.template,
      attempt: 0,
      statusCode: null,
      latencyMs: null,
      error: null,
      state: 'pending',
      at: p.createdAt.toISOString(),
    })),
    ...attempts.map((a): DeliveryView => ({
      deliveryId: a.outboxId,
      eventId: a.eventId,
      eventType: a.eventType,
      attempt: a.attempt,
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      error: a.error,
      state: a.state,
      at: a.createdAt.toISOString(),
    })),
  ];
}

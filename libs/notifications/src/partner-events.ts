import { Injectable } from '@nestjs/common';
import { Tx } from '@lmp/database';

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

export interface PartnerEvent {
  partnerId: string;
  type: WebhookEventType;
  /** The event's `data`: ids and the fields a receiver needs, never secrets. */
  data: Record<string, unknown>;
}

/**
 * Records a partner event inside the caller's transaction, so it is delivered to the
 * partner's subscribed webhooks exactly when the change that caused it commits.
 */
@Injectable()
export class PartnerEvents {
  // Delivery arrives with the webhooks feature; until then events have no subscribers.
  async record(_tx: Tx, _event: PartnerEvent): Promise<void> {}
}

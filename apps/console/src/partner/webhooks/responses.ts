/** What the webhook routes answer (see apps/console/src/http/responses.ts for how these are read). */

/** A webhook, never its secret. */
export class WebhookResponse {
  id!: string;
  url!: string;
  events!: string[];
  enabled!: boolean;
  /** Why it was turned off for failing, while it is off. */
  disabledReason!: string | null;
  createdAt!: string;
  updatedAt!: string;
}

export class WebhookList {
  items!: WebhookResponse[];
}

export class CreatedWebhookResponse extends WebhookResponse {
  /** `whsec_…`: the signing secret, in this answer only. */
  secret!: string;
}

export class WebhookTestResponse {
  eventId!: string;
  type!: 'ping';
  status!: 'queued';
}

/** One attempt of a delivery, or a delivery still waiting for its first (attempt 0, `pending`). */
export class WebhookDeliveryResponse {
  deliveryId!: string;
  eventId!: string;
  eventType!: string;
  attempt!: number;
  statusCode!: number | null;
  latencyMs!: number | null;
  error!: string | null;
  state!: 'pending' | 'delivered' | 'retrying' | 'dead';
  at!: string;
}

export class WebhookDeliveryList {
  items!: WebhookDeliveryResponse[];
}

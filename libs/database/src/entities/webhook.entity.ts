import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

/**
 * A partner's webhook: where its subscribed events are POSTed, signed with its secret (sealed
 * with DATA_ENCRYPTION_KEY, bound to the webhook's id). `events` is the subscribed event types,
 * comma-separated. A webhook whose deliveries keep dying is disabled (`disabledReason` says why).
 */
@Entity('webhooks')
export class Webhook {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @Column({ type: 'varchar', length: 2000 })
  url!: string;

  @Column({ type: 'varchar', length: 1000 })
  events!: string;

  @Column({ type: 'varchar', length: 255 })
  secret!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'disabled_reason', type: 'varchar', length: 200, nullable: true })
  disabledReason!: string | null;

  /** Deliveries that died one after another since the last one delivered. */
  @Column({ name: 'dead_in_a_row', type: 'int', default: 0 })
  deadInARow!: number;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @Column({ name: 'updated_at', ...TIMESTAMP })
  updatedAt!: Date;
}

/** What became of a delivery after an attempt. */
export type WebhookDeliveryState = 'delivered' | 'retrying' | 'dead';

/** One attempt to deliver one event to one webhook. */
@Entity('webhook_attempts')
export class WebhookAttempt {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'webhook_id', type: 'varchar', length: 36 })
  webhookId!: string;

  /** The outbox row of the delivery: every attempt of one delivery shares it. */
  @Column({ name: 'outbox_id', type: 'varchar', length: 36 })
  outboxId!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType!: string;

  @Column({ type: 'int' })
  attempt!: number;

  @Column({ name: 'status_code', type: 'int', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'latency_ms', type: 'int' })
  latencyMs!: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: WebhookDeliveryState;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { FlatJson, jsonText, TIMESTAMP } from './columns';

/** `webhook`: one event for one webhook; `recipient` is the webhook's id, `template` the event type. */
export type OutboxKind = 'mail' | 'sms' | 'webhook';
/**
 * pending: committed, not yet handed to the queue (Redis down, or the relay will pick it up);
 * queued: on the queue; sending: a worker holds it (until `due_at`) and may be talking to the
 * SMTP server / gateway; sent: delivered to the SMTP server / gateway; failed: an attempt failed
 * and another is scheduled (at `due_at`); dead: out of attempts, an operator must look.
 */
export type OutboxStatus = 'pending' | 'queued' | 'sending' | 'sent' | 'failed' | 'dead';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'queued', 'sending', 'sent', 'failed', 'dead'];

/** A message to deliver, written in the same transaction as the change that causes it. */
@Entity('outbox')
export class OutboxMessage {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 8 })
  kind!: OutboxKind;

  @Column({ type: 'varchar', length: 64 })
  template!: string;

  @Column({ type: 'varchar', length: 254 })
  recipient!: string;

  /** The template's props; cleared once sent, so emailed secrets do not linger. */
  @Column({ type: 'text', nullable: true, transformer: jsonText })
  payload!: FlatJson | null;

  @Column({ type: 'varchar', length: 16 })
  status!: OutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @Column({ name: 'updated_at', ...TIMESTAMP })
  updatedAt!: Date;

  @Column({ name: 'sent_at', ...TIMESTAMP, nullable: true })
  sentAt!: Date | null;

  /**
   * When the row must next move on: the next attempt of a queued or failed row, the end of the
   * lease of a row being sent. Stored with the row, so that a retry lost with Redis' data is
   * found by the relay however Redis fares; null once the row is sent or dead.
   */
  @Column({ name: 'due_at', ...TIMESTAMP, nullable: true })
  dueAt!: Date | null;
}

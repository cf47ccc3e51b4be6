import { Column, Entity, PrimaryColumn } from 'typeorm';
import { FlatJson, jsonText, TIMESTAMP } from './columns';

export type OutboxKind = 'mail' | 'sms';
/**
 * pending: committed, not yet handed to the queue (Redis down, or the relay will pick it up);
 * queued: on the queue; sent: delivered to the SMTP server / gateway; failed: an attempt failed
 * and another is scheduled; dead: out of attempts, an operator must look.
 */
export type OutboxStatus = 'pending' | 'queued' | 'sent' | 'failed' | 'dead';

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
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

export type TokenPurpose =
  | 'password_reset'
  | 'invitation'
  | 'email_verify'
  | 'email_change'
  | 'login_code'
  /** The "this wasn't me" link in a security notice: locks the account. */
  | 'not_me';

/** An emailed link or code. Only the SHA-256 of the secret is stored. */
@Entity('action_tokens')
export class ActionToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 32 })
  purpose!: TokenPurpose;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'expires_at', ...TIMESTAMP })
  expiresAt!: Date;

  @Column({ name: 'used_at', ...TIMESTAMP, nullable: true })
  usedAt!: Date | null;

  /** Set when a newer token of the same purpose replaced this one. */
  @Column({ name: 'voided_at', ...TIMESTAMP, nullable: true })
  voidedAt!: Date | null;

  /** The partner staff member who asked for it; null for self-service. */
  @Column({ name: 'requested_by', type: 'varchar', length: 36, nullable: true })
  requestedBy!: string | null;

  /** Where a "this wasn't me" link was mailed: the address that may take the account back. */
  @Column({ name: 'sent_to', type: 'varchar', length: 254, nullable: true })
  sentTo!: string | null;

  /** The message that carries the link, for delivery status. */
  @Column({ name: 'outbox_id', type: 'varchar', length: 36, nullable: true })
  outboxId!: string | null;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

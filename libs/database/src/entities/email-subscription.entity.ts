import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

/** A user's email preferences. No row means no marketing mail at all (opt-in). */
@Entity('email_subscriptions')
export class EmailSubscription {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'boolean', default: false })
  newsletter!: boolean;

  /** Special offers, promotions and surveys. */
  @Column({ type: 'boolean', default: false })
  promotions!: boolean;

  @Column({ name: 'updated_at', ...TIMESTAMP })
  updatedAt!: Date;
}

export type ConsentTopic = 'newsletter' | 'promotions';
export type ConsentSource = 'account' | 'unsubscribe_link' | 'api';

/** The consent trail: every change of a subscription, when and through what. Never updated. */
@Entity('consent_events')
export class ConsentEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 32 })
  topic!: ConsentTopic;

  @Column({ type: 'boolean' })
  granted!: boolean;

  @Column({ type: 'varchar', length: 32 })
  source!: ConsentSource;

  @Column({ ...TIMESTAMP })
  at!: Date;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}

/** A requested change of address, waiting for the link sent to the new one. Keyed by its token. */
@Entity('email_changes')
export class EmailChange {
  @PrimaryColumn({ name: 'token_id', type: 'varchar', length: 36 })
  tokenId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'new_email', type: 'varchar', length: 254 })
  newEmail!: string;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

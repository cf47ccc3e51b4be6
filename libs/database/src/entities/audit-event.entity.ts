import { Column, Entity, PrimaryColumn } from 'typeorm';
import { FlatJson, jsonText, TIMESTAMP } from './columns';

/** Who did what to whom. Kept without foreign keys so that history outlives what it names. */
@Entity('audit_events')
export class AuditEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ ...TIMESTAMP })
  at!: Date;

  @Column({ name: 'actor_user_id', type: 'varchar', length: 36, nullable: true })
  actorUserId!: string | null;

  /** The partner API token that acted, when one did (then there is no acting user). */
  @Column({ name: 'actor_token_id', type: 'varchar', length: 36, nullable: true })
  actorTokenId!: string | null;

  @Column({ name: 'partner_id', type: 'varchar', length: 36, nullable: true })
  partnerId!: string | null;

  @Column({ name: 'customer_id', type: 'varchar', length: 36, nullable: true })
  customerId!: string | null;

  @Column({ name: 'target_user_id', type: 'varchar', length: 36, nullable: true })
  targetUserId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'text', nullable: true, transformer: jsonText })
  detail!: FlatJson | null;
}

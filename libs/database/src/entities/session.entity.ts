import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

/** A signed-in browser. The id is the SHA-256 of the cookie value, never the value itself. */
@Entity('sessions')
export class Session {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', ...TIMESTAMP })
  lastSeenAt!: Date;

  @Column({ name: 'expires_at', ...TIMESTAMP })
  expiresAt!: Date;

  @Column({ name: 'mfa_passed', type: 'boolean', default: false })
  mfaPassed!: boolean;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 255, nullable: true })
  userAgent!: string | null;
}

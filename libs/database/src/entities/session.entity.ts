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

  /** Signed in by password while the partner requires 2FA of its staff and none is set up yet. */
  @Column({ name: 'mfa_setup_required', type: 'boolean', default: false })
  mfaSetupRequired!: boolean;

  /** A pending (second-step) session's wrong codes; it ends after a few. */
  @Column({ name: 'mfa_failures', type: 'int', default: 0 })
  mfaFailures!: number;

  /**
   * When the user last proved who they are in this session (sign-in, or a password or code given
   * again); changes to sign-in methods need it recent. Null for a pending sign-in.
   */
  @Column({ name: 'reauth_at', ...TIMESTAMP, nullable: true })
  reauthAt!: Date | null;

  /** Wrong passwords given in a row inside this session; it ends after a few. */
  @Column({ name: 'reauth_failures', type: 'int', default: 0 })
  reauthFailures!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 255, nullable: true })
  userAgent!: string | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

export type MfaKind = 'totp' | 'sms' | 'email';
export const MFA_KINDS: readonly MfaKind[] = ['totp', 'sms', 'email'];

/**
 * A second factor of a user. Pending until `confirmedAt` is set by a correct code. TOTP keeps
 * its secret encrypted (AES-256-GCM); SMS and email keep their target and, while one is out,
 * the HMAC of the last code sent with its expiry and tries.
 */
@Entity('mfa_methods')
export class MfaMethod {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 8 })
  kind!: MfaKind;

  /** E.164 phone for sms, lower-cased address for email, null for totp. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  target!: string | null;

  /** TOTP only: the base32 secret, encrypted. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  secret!: string | null;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault!: boolean;

  @Column({ name: 'confirmed_at', ...TIMESTAMP, nullable: true })
  confirmedAt!: Date | null;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  /** TOTP only: the last time step accepted; a code of this step or an older one is a replay. */
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true, transformer: bigintNumber() })
  lastUsedStep!: number | null;

  @Column({ name: 'code_hash', type: 'varchar', length: 64, nullable: true })
  codeHash!: string | null;

  @Column({ name: 'code_expires_at', ...TIMESTAMP, nullable: true })
  codeExpiresAt!: Date | null;

  @Column({ name: 'code_tries', type: 'int', default: 0 })
  codeTries!: number;

  @Column({ name: 'code_sent_at', ...TIMESTAMP, nullable: true })
  codeSentAt!: Date | null;
}

/** One-time codes that stand in for a second factor. Only their HMAC is kept. */
@Entity('recovery_codes')
export class RecoveryCode {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @Column({ name: 'used_at', ...TIMESTAMP, nullable: true })
  usedAt!: Date | null;
}

function bigintNumber() {
  return {
    to: (v: number | null) => v,
    from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
  };
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

/**
 * A partner's API token. Only the SHA-256 of the secret is stored (unique, the lookup key); the
 * secret itself is shown once when the token is created. Revoked tokens are kept for the audit
 * trail, which names them.
 */
@Entity('api_tokens')
@Index('IDX_api_tokens_partner', ['partnerId', 'createdAt'])
export class ApiToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** Space-separated scope names (see API_SCOPES). */
  @Column({ type: 'varchar', length: 500 })
  scopes!: string;

  @Index('UQ_api_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** The partner admin who created it. */
  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy!: string;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @Column({ name: 'expires_at', ...TIMESTAMP })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', ...TIMESTAMP, nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_by', type: 'varchar', length: 36, nullable: true })
  revokedBy!: string | null;

  /** Last use, recorded at most once a minute. */
  @Column({ name: 'last_used_at', ...TIMESTAMP, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'last_used_ip', type: 'varchar', length: 64, nullable: true })
  lastUsedIp!: string | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

/**
 * One expiry notice of one license: written in the same transaction as its mail. The unique key
 * (license, the expiry it was about, threshold) is what makes a notice go out once: a second
 * scan's insert of the same key changes nothing, so it sends nothing. A renewal changes the
 * expiry, which re-arms every threshold.
 */
@Entity('license_notices')
export class LicenseNotice {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'license_id', type: 'varchar', length: 36 })
  licenseId!: string;

  @Column({ name: 'expires_at', ...TIMESTAMP })
  expiresAt!: Date;

  /** Days before the expiry; 0 is the notice on the day it expires. */
  @Column({ name: 'threshold_days', type: 'int' })
  thresholdDays!: number;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 36 })
  customerId!: string;

  /** The partner's digest that listed it; null until the next digest takes it. */
  @Column({ name: 'digest_id', type: 'varchar', length: 36, nullable: true })
  digestId!: string | null;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

/** The partner admins' daily digest of expiry notices: one per partner and day (unique). */
@Entity('license_digests')
export class LicenseDigest {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  /** The UTC day, YYYY-MM-DD. */
  @Column({ type: 'varchar', length: 10 })
  day!: string;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

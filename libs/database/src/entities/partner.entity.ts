import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

export type PartnerStatus = 'active' | 'suspended';

/** A reseller: the tenant root. */
@Entity('partners')
export class Partner {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: PartnerStatus;

  /** Partner staff must set up two-factor authentication before they can do anything else. */
  @Column({ name: 'require_staff_mfa', type: 'boolean', default: false })
  requireStaffMfa!: boolean;

  /** Days before a license expires when its expiry notices go out, e.g. "30,7,1" (the expiry day is always one). */
  @Column({ name: 'license_notice_days', type: 'varchar', length: 64, default: '30,7,1' })
  licenseNoticeDays!: string;

  @Column({ name: 'license_notices', type: 'boolean', default: true })
  licenseNotices!: boolean;

  /** Days after the expiry during which a license shows `grace`. */
  @Column({ name: 'license_grace_days', type: 'int', default: 0 })
  licenseGraceDays!: number;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

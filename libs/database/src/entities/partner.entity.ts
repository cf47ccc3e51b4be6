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

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

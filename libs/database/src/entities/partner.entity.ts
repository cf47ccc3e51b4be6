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

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

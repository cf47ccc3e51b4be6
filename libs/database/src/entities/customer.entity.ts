import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

export type CustomerStatus = 'active' | 'suspended';

/** A customer company of one partner. */
@Entity('customers')
export class Customer {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @Column({ name: 'company_name', type: 'varchar', length: 200 })
  companyName!: string;

  /** ISO 3166-1 alpha-2. */
  @Column({ type: 'varchar', length: 2 })
  country!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: CustomerStatus;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @Column({ name: 'updated_at', ...TIMESTAMP })
  updatedAt!: Date;
}

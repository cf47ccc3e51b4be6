import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

/** A product license held by a customer. */
@Entity('licenses')
export class License {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 36 })
  customerId!: string;

  @Column({ type: 'varchar', length: 120 })
  product!: string;

  @Column({ type: 'int' })
  seats!: number;

  @Column({ name: 'starts_at', ...TIMESTAMP })
  startsAt!: Date;

  @Column({ name: 'expires_at', ...TIMESTAMP })
  expiresAt!: Date;

  /** Set by hand (suspended) or 'active'; expiry is derived from the dates when read. */
  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: string;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

/** A fixed-window counter for rate limits, shared by console instances without Redis. */
@Entity('rate_limits')
export class RateLimit {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  @Column({ type: 'int', default: 0 })
  hits!: number;

  @Column({ name: 'window_ends_at', ...TIMESTAMP })
  windowEndsAt!: Date;

  @Column({ name: 'blocked_until', ...TIMESTAMP, nullable: true })
  blockedUntil!: Date | null;
}

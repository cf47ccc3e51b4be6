import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TIMESTAMP } from './columns';

export type UserStatus = 'active' | 'invited' | 'disabled';
export type UserType = 'personal' | 'company';
export type PartnerRole = 'partner_admin' | 'partner_support';
export type CustomerRole = 'full_access' | 'read_only';
export type UserRole = PartnerRole | CustomerRole | 'platform_admin';

export const PARTNER_ROLES: readonly PartnerRole[] = ['partner_admin', 'partner_support'];
export const CUSTOMER_ROLES: readonly CustomerRole[] = ['full_access', 'read_only'];

/** Everyone who signs in: partner staff (partnerId), customer users (customerId) or operators (neither). */
@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Always stored lower-cased. */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  /** Null until an invitation is accepted. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: UserStatus;

  @Column({ name: 'email_verified_at', ...TIMESTAMP, nullable: true })
  emailVerifiedAt!: Date | null;

  @Column({ name: 'first_name', type: 'varchar', length: 100, default: '' })
  firstName!: string;

  @Column({ name: 'last_name', type: 'varchar', length: 100, default: '' })
  lastName!: string;

  @Column({ name: 'user_type', type: 'varchar', length: 16, default: 'company' })
  userType!: UserType;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  location!: string | null;

  @Column({ name: 'partner_id', type: 'varchar', length: 36, nullable: true })
  partnerId!: string | null;

  @Column({ name: 'customer_id', type: 'varchar', length: 36, nullable: true })
  customerId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  role!: UserRole;

  @Column({ name: 'failed_logins', type: 'int', default: 0 })
  failedLogins!: number;

  @Column({ name: 'locked_until', ...TIMESTAMP, nullable: true })
  lockedUntil!: Date | null;

  /** True while the user has a confirmed second factor (kept by the 2FA service). */
  @Column({ name: 'mfa_enabled', type: 'boolean', default: false })
  mfaEnabled!: boolean;

  @Column({ name: 'password_changed_at', ...TIMESTAMP, nullable: true })
  passwordChangedAt!: Date | null;

  @Column({ name: 'last_login_at', ...TIMESTAMP, nullable: true })
  lastLoginAt!: Date | null;

  @Column({ name: 'created_at', ...TIMESTAMP })
  createdAt!: Date;

  @Column({ name: 'updated_at', ...TIMESTAMP })
  updatedAt!: Date;
}

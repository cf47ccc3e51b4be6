import { Customer, License, User } from '@lmp/database';
import { ResetRequestRow } from './reset-request.repository';
import { CustomerRow } from './customer.repository';

export type ResetStatus = 'queued' | 'sent' | 'failed' | 'used' | 'expired';

export function customerView(c: Customer | CustomerRow) {
  return {
    id: c.id,
    companyName: c.companyName,
    country: c.country,
    status: c.status,
    accountCount: 'accountCount' in c ? c.accountCount : undefined,
    licenseCount: 'licenseCount' in c ? c.licenseCount : undefined,
    hasExpiringLicense: 'hasExpiringLicense' in c ? c.hasExpiringLicense : undefined,
    createdAt: c.createdAt.toISOString(),
  };
}

export function accountView(u: User) {
  return {
    id: u.id,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    role: u.role,
    status: u.status,
    emailVerified: u.emailVerifiedAt !== null,
    mfaEnabled: u.mfaEnabled,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}

export type LicenseStatus = 'active' | 'expiring' | 'grace' | 'expired' | 'scheduled' | 'suspended';
export const LICENSE_STATUSES: readonly LicenseStatus[] = [
  'active',
  'expiring',
  'grace',
  'expired',
  'scheduled',
  'suspended',
];

const DAY_MS = 86_400_000;

/**
 * What a license is now. Only 'suspended' is stored (set by hand, and it wins); the rest is
 * derived from the dates at read time, so nothing has to run when a license expires.
 */
export function licenseStatus(l: License, now: Date, expiringDays: number, graceDays = 0): LicenseStatus {
  if (l.status === 'suspended') return 'suspended';
  if (l.expiresAt <= now) return l.expiresAt.getTime() + graceDays * DAY_MS > now.getTime() ? 'grace' : 'expired';
  if (l.startsAt > now) return 'scheduled';
  if (l.expiresAt.getTime() - now.getTime() <= expiringDays * DAY_MS) return 'expiring';
  return 'active';
}

export function licenseView(l: License, now: Date, expiringDays: number, graceDays = 0) {
  const status = licenseStatus(l, now, expiringDays, graceDays);
  return {
    id: l.id,
    product: l.product,
    seats: l.seats,
    startsAt: l.startsAt.toISOString(),
    expiresAt: l.expiresAt.toISOString(),
    status,
    /** Set while the license is in its grace period: when that ends. */
    graceEndsAt: status === 'grace' ? new Date(l.expiresAt.getTime() + graceDays * DAY_MS).toISOString() : null,
  };
}

/**
 * The status a partner sees: used and expired come from the link itself; otherwise the
 * delivery decides. A message still being retried is 'queued'; only a dead one is 'failed'.
 */
export function resetStatus(row: ResetRequestRow, now: Date): { status: ResetStatus; reason: string | null } {
  const { token, outbox } = row;
  if (token.usedAt) return { status: 'used', reason: null };
  if (token.voidedAt) return { status: 'expired', reason: 'replaced by a newer request' };
  if (token.expiresAt <= now) return { status: 'expired', reason: null };
  if (outbox?.status === 'sent') return { status: 'sent', reason: null };
  if (outbox?.status === 'dead') return { status: 'failed', reason: outbox.lastError };
  return { status: 'queued', reason: null };
}

export function resetRequestView(row: ResetRequestRow, now: Date) {
  const { status, reason } = resetStatus(row, now);
  return {
    requestId: row.token.id,
    accountId: row.accountId,
    customerId: row.customerId,
    status,
    reason,
    requestedBy: row.token.requestedBy,
    requestedByEmail: row.requestedByEmail,
    requestedAt: row.token.createdAt.toISOString(),
    expiresAt: row.token.expiresAt.toISOString(),
    sentAt: row.outbox?.sentAt?.toISOString() ?? null,
    usedAt: row.token.usedAt?.toISOString() ?? null,
  };
}

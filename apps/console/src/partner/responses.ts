import { AccountResponse } from '../http/responses';

/** What the partner API answers; see apps/console/src/http/responses.ts for how these are read. */

export class CustomerResponse {
  id!: string;
  companyName!: string;
  /** ISO 3166 two-letter code. */
  country!: string;
  status!: 'active' | 'suspended';
  /** Present in lists. */
  accountCount?: number;
  /** Present in lists. */
  licenseCount?: number;
  /** Present in lists: a license (started, not suspended) expires within the expiring window. */
  hasExpiringLicense?: boolean;
  /** ISO 8601. */
  createdAt!: string;
}

/** One page of a list; `totalCapped` is set when a search was only counted as far as `total`. */
export class CustomerPage {
  items!: CustomerResponse[];
  page!: number;
  pageSize!: number;
  total!: number;
  totalCapped?: boolean;
}

export class AccountPage {
  items!: AccountResponse[];
  page!: number;
  pageSize!: number;
  total!: number;
  totalCapped?: boolean;
}

export class ResetRequestResponse {
  requestId!: string;
  accountId!: string;
  customerId!: string;
  /** `queued` while the mail is on its way (and being retried), `failed` once it is given up. */
  status!: 'queued' | 'sent' | 'failed' | 'used' | 'expired';
  reason!: string | null;
  /** The partner user who asked for it. */
  requestedBy!: string | null;
  requestedByEmail!: string | null;
  requestedAt!: string;
  expiresAt!: string;
  sentAt!: string | null;
  usedAt!: string | null;
}

/** An account with its password reset requests, newest first. */
export class AccountDetailResponse extends AccountResponse {
  resetRequests!: ResetRequestResponse[];
}

export class ResetQueuedResponse {
  requestId!: string;
  status!: 'queued';
}

export class LicenseResponse {
  id!: string;
  product!: string;
  seats!: number;
  startsAt!: string;
  expiresAt!: string;
  /**
   * Derived when read: `suspended` when set so, else from the dates (`grace`: expired less than
   * the partner's grace period ago).
   */
  status!: 'active' | 'expiring' | 'grace' | 'expired' | 'scheduled' | 'suspended';
  /** When the grace period after the expiry ends (null without one). */
  graceEndsAt!: string | null;
}

export class LicenseList {
  items!: LicenseResponse[];
}

/** A license in the partner's list across its customers. */
export class PartnerLicenseResponse extends LicenseResponse {
  customerId!: string;
  companyName!: string;
}

export class PartnerLicensePage {
  items!: PartnerLicenseResponse[];
  page!: number;
  pageSize!: number;
  total!: number;
}

export class AuditEntryResponse {
  id!: string;
  at!: string;
  action!: string;
  actorUserId!: string | null;
  actorEmail!: string | null;
  /** The API token that acted, when one did (then `actorUserId` is null). */
  actorTokenId!: string | null;
  actorTokenName!: string | null;
  customerId!: string | null;
  customerName!: string | null;
  targetUserId!: string | null;
  targetEmail!: string | null;
  ip!: string | null;
  /** The fields that changed, or what the action concerned: flat keys and values. */
  detail!: Record<string, string | number | boolean | null> | null;
}

export class AuditPage {
  items!: AuditEntryResponse[];
  page!: number;
  pageSize!: number;
  total!: number;
  totalCapped?: boolean;
}

export class PartnerSettingsResponse {
  /** Partner staff must set up two-factor authentication before anything else. */
  requireStaffMfa!: boolean;
  /** Expiry notices are sent to customers and the daily digest to the partner's admins. */
  licenseNotices!: boolean;
  /** Days before an expiry that a notice goes out, largest first (the expiry day always has one). */
  licenseNoticeDays!: number[];
  /** Days after an expiry during which a license shows `grace`. */
  licenseGraceDays!: number;
}

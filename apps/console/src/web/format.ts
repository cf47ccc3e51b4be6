import { AuditAction } from '@lmp/audit';

/**
 * How the console shows values. Times are shown in UTC and say so: the server does not know the
 * reader's time zone, and pages work without scripts. The ISO value goes in <time datetime>.
 */
const DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
const TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' });

export interface Moment {
  iso: string;
  text: string;
}

export function dateOnly(iso: string): Moment {
  return { iso, text: DATE.format(new Date(iso)) };
}

export function dateTime(iso: string | null): Moment | null {
  if (!iso) return null;
  const d = new Date(iso);
  return { iso, text: `${DATE.format(d)}, ${TIME.format(d)} UTC` };
}

/** `2026-03-01T00:00:00.000Z` → `2026-03-01`, the value of an <input type="date">. */
export const dateInput = (iso: string): string => iso.slice(0, 10);

export const ROLE_LABELS: Record<string, string> = {
  full_access: 'Full Access',
  read_only: 'Read Only',
  partner_admin: 'Partner admin',
  partner_support: 'Partner support',
  platform_admin: 'Operator',
};

export const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });
export const countryName = (code: string): string => {
  try {
    return COUNTRY_NAMES.of(code) ?? code;
  } catch {
    return code;
  }
};

/** A status as a coloured badge: `tone` picks the colour; the text alone carries the meaning. */
export interface Badge {
  text: string;
  tone: 'green' | 'amber' | 'red' | 'grey' | 'blue';
}

const BADGES: Record<string, Badge> = {
  active: { text: 'Active', tone: 'green' },
  invited: { text: 'Invited', tone: 'blue' },
  disabled: { text: 'Disabled', tone: 'grey' },
  suspended: { text: 'Suspended', tone: 'red' },
  expiring: { text: 'Expiring', tone: 'amber' },
  expired: { text: 'Expired', tone: 'red' },
  grace: { text: 'In grace period', tone: 'amber' },
  scheduled: { text: 'Scheduled', tone: 'blue' },
  queued: { text: 'Queued', tone: 'blue' },
  sent: { text: 'Sent', tone: 'green' },
  failed: { text: 'Failed', tone: 'red' },
  used: { text: 'Used', tone: 'grey' },
  revoked: { text: 'Revoked', tone: 'grey' },
};

export const badge = (status: string): Badge => BADGES[status] ?? { text: status, tone: 'grey' };

/** What each audit action reads as in the trail; an action without a label shows its stored name. */
export const ACTION_LABELS: Partial<Record<AuditAction, string>> = {
  [AuditAction.LoginSucceeded]: 'Signed in',
  [AuditAction.LoginFailed]: 'Sign-in failed',
  [AuditAction.Logout]: 'Signed out',
  [AuditAction.PasswordResetRequested]: 'Password reset requested',
  [AuditAction.PasswordResetCompleted]: 'Password reset completed',
  [AuditAction.InvitationAccepted]: 'Invitation accepted',
  [AuditAction.CustomerCreated]: 'Customer created',
  [AuditAction.AccountCreated]: 'Account created',
  [AuditAction.InvitationSent]: 'Invitation sent',
  [AuditAction.LicenseCreated]: 'License added',
  [AuditAction.CustomerChanged]: 'Customer changed',
  [AuditAction.AccountChanged]: 'Account changed',
  [AuditAction.LicenseChanged]: 'License changed',
  [AuditAction.LicenseRenewed]: 'License renewed',
  [AuditAction.LicenseExpiryNotice]: 'License expiry notice sent',
  [AuditAction.LicenseDigestSent]: 'Daily license digest sent',
  [AuditAction.PartnerCreated]: 'Partner created',
  [AuditAction.AccountLocked]: 'Account locked after failed sign-ins',
  [AuditAction.SignedUp]: 'Signed up',
  [AuditAction.SignupRepeated]: 'Sign-up with a taken address',
  [AuditAction.EmailVerificationSent]: 'Verification email sent',
  [AuditAction.EmailVerified]: 'Email verified',
  [AuditAction.ProfileChanged]: 'Profile changed',
  [AuditAction.PasswordChanged]: 'Password changed',
  [AuditAction.EmailChangeRequested]: 'Email change requested',
  [AuditAction.EmailChanged]: 'Email changed',
  [AuditAction.AccountLockedByOwner]: 'Account locked by its owner',
  [AuditAction.SubscriptionsChanged]: 'Email subscriptions changed',
  [AuditAction.SessionRevoked]: 'Session ended',
  [AuditAction.CompanyUserAdded]: 'Company user added',
  [AuditAction.CompanyUserRoleChanged]: 'Company user role changed',
  [AuditAction.CompanyUserRemoved]: 'Company user removed',
  [AuditAction.AccountPromoted]: 'Account promoted to Full Access',
  [AuditAction.MfaMethodAdded]: 'Two-factor method added',
  [AuditAction.MfaMethodRemoved]: 'Two-factor method removed',
  [AuditAction.MfaDefaultChanged]: 'Default two-factor method changed',
  [AuditAction.MfaDisabled]: 'Two-factor authentication turned off',
  [AuditAction.MfaRecoveryCodesRegenerated]: 'Recovery codes renewed',
  [AuditAction.MfaRecoveryCodeUsed]: 'Signed in with a recovery code',
  [AuditAction.PartnerSettingsChanged]: 'Partner settings changed',
  [AuditAction.MfaResetByPartner]: 'Two-factor authentication turned off by the partner',
  [AuditAction.ApiTokenCreated]: 'API token created',
  [AuditAction.ApiTokenRevoked]: 'API token revoked',
  [AuditAction.WebhookCreated]: 'Webhook added',
  [AuditAction.WebhookChanged]: 'Webhook changed',
  [AuditAction.WebhookDeleted]: 'Webhook deleted',
};

export const actionLabel = (action: string): string => ACTION_LABELS[action as AuditAction] ?? action;

export interface PageLink {
  number: number;
  href: string;
  current: boolean;
}

export interface Pager {
  from: number;
  to: number;
  total: number;
  /** The search matched more than `total` and was counted only that far: shown as "1000+". */
  more: boolean;
  prev: string | null;
  next: string | null;
  pages: PageLink[];
  /** Whether there is more than one page, i.e. whether to show the page links. */
  many: boolean;
}

/**
 * "Showing 26–50 of 60" and the page links around the current one. `href(n)` builds the link
 * to page n with the list's other parameters kept.
 */
export function pager(page: number, pageSize: number, total: number, href: (n: number) => string, more = false): Pager {
  const last = Math.max(1, Math.ceil(total / pageSize));
  const first = Math.max(1, Math.min(page - 2, last - 4));
  const pages: PageLink[] = [];
  for (let n = first; n <= Math.min(last, first + 4); n++)
    pages.push({ number: n, href: href(n), current: n === page });
  return {
    from: total === 0 ? 0 : Math.min(total, (page - 1) * pageSize + 1),
    to: Math.min(total, page * pageSize),
    total,
    more,
    prev: page > 1 ? href(Math.min(page - 1, last)) : null,
    next: page < last ? href(page + 1) : null,
    pages,
    many: last > 1,
  };
}

/** `path?a=1&b=2`, leaving out empty values. */
export function urlWith(path: string, params: Record<string, string | number | undefined | null>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** A positive page number from a query string; anything else is page 1 (pages never answer 400 for it). */
export function pageNumber(raw: unknown): number {
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return n >= 1 ? n : 1;
}

/** A query-string value as text, at most `max` characters. */
export const queryText = (raw: unknown, max = 200): string => (typeof raw === 'string' ? raw.trim().slice(0, max) : '');

/**
 * The address a "was invited" notice names, from the query string: an address or nothing. The
 * notice is the same whether or not the address had an account elsewhere (nothing tells which).
 */
export function invitedEmail(raw: unknown): string | undefined {
  const text = queryText(raw, 254);
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? text : undefined;
}

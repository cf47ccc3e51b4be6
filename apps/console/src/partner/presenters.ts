import { accountView, AuditListItem, customerView, licenseView, resetRequestView } from '@lmp/tenancy';
import { actionLabel, badge, countryName, dateOnly, dateTime, ROLE_LABELS } from '../web/format';

/** Turns the service's views into what the templates show. No data access here. */

type CustomerView = ReturnType<typeof customerView>;
type AccountView = ReturnType<typeof accountView>;
type LicenseView = ReturnType<typeof licenseView>;
type ResetView = ReturnType<typeof resetRequestView>;

export const customerPath = (customerId: string) => `/partner/customers/${customerId}`;
export const accountPath = (customerId: string, accountId: string) =>
  `${customerPath(customerId)}/accounts/${accountId}`;

export const fullName = (a: { firstName: string; lastName: string; email: string }) =>
  `${a.firstName} ${a.lastName}`.trim() || a.email;

export function customerRow(c: CustomerView) {
  return {
    ...c,
    href: customerPath(c.id),
    countryName: countryName(c.country),
    statusBadge: badge(c.status),
    created: dateOnly(c.createdAt),
  };
}

export function accountRow(customerId: string, a: AccountView) {
  return {
    ...a,
    href: accountPath(customerId, a.id),
    name: fullName(a),
    roleLabel: ROLE_LABELS[a.role] ?? a.role,
    statusBadge: badge(a.status),
    lastLogin: dateTime(a.lastLoginAt),
    created: dateTime(a.createdAt),
  };
}

export function licenseRow(customerId: string, l: LicenseView) {
  return {
    ...l,
    editHref: `${customerPath(customerId)}/licenses/${l.id}/edit`,
    renewHref: `${customerPath(customerId)}/licenses/${l.id}/renew`,
    statusBadge: badge(l.status),
    starts: dateOnly(l.startsAt),
    expires: dateOnly(l.expiresAt),
  };
}

export function resetRow(r: ResetView) {
  return {
    ...r,
    statusBadge: badge(r.status),
    requested: dateTime(r.requestedAt),
    sent: dateTime(r.sentAt),
    used: dateTime(r.usedAt),
    expires: dateTime(r.expiresAt),
    /** Still moving: the page refreshes (or its script polls) while any request is queued. */
    live: r.status === 'queued',
  };
}

/** Flat audit details as "key: value" pairs; ids the row already links to are left out. */
function detailText(detail: AuditListItem['detail']): string {
  if (!detail) return '';
  return Object.entries(detail)
    .filter(([key]) => key !== 'requestId' && key !== 'licenseId')
    .map(([key, value]) => `${key}: ${value === null ? '—' : String(value)}`)
    .join(', ');
}

export function auditRow(e: AuditListItem, filterHref: (customerId: string) => string) {
  return {
    ...e,
    when: dateTime(e.at),
    actionText: actionLabel(e.action),
    actor: e.actorTokenId
      ? `API token “${e.actorTokenName ?? 'unknown'}”`
      : (e.actorEmail ?? (e.actorUserId ? 'a removed user' : '—')),
    customerFilterHref: e.customerId ? filterHref(e.customerId) : null,
    detailText: detailText(e.detail),
  };
}

/** Rows per page of the partner's lists. */
export const PAGE_SIZE = 25;

export type QueryParams = Record<string, unknown>;

/** Confirmations after a form post (POST-redirect-GET): fixed texts, chosen by `?done=`. */
export const DONE: Record<string, string> = {
  'customer-created': 'Customer created.',
  'customer-saved': 'Customer saved.',
  'account-saved': 'Account saved.',
  'license-added': 'License added.',
  'license-saved': 'License saved.',
  'license-renewed': "License renewed. The company's Full Access users were told by email.",
  'mfa-off': 'Two-factor authentication is off for this account. Its owner was signed out and told by email.',
};

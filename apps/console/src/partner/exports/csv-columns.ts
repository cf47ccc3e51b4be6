import { AuditListItem, customerView, PartnerLicenseItem } from '@lmp/tenancy';
import { CsvColumn } from '../../http/csv';

/** The columns of the partner's CSV exports: the fields of the JSON lists, flat. */

export const CUSTOMER_COLUMNS: CsvColumn<ReturnType<typeof customerView>>[] = [
  { header: 'id', cell: (c) => c.id },
  { header: 'companyName', cell: (c) => c.companyName },
  { header: 'country', cell: (c) => c.country },
  { header: 'status', cell: (c) => c.status },
  { header: 'accountCount', cell: (c) => c.accountCount },
  { header: 'licenseCount', cell: (c) => c.licenseCount },
  { header: 'createdAt', cell: (c) => c.createdAt },
];

export const AUDIT_COLUMNS: CsvColumn<AuditListItem>[] = [
  { header: 'at', cell: (e) => e.at },
  { header: 'action', cell: (e) => e.action },
  { header: 'actorEmail', cell: (e) => e.actorEmail },
  { header: 'customerName', cell: (e) => e.customerName },
  { header: 'targetEmail', cell: (e) => e.targetEmail },
  { header: 'ip', cell: (e) => e.ip },
  { header: 'detail', cell: (e) => (e.detail ? JSON.stringify(e.detail) : null) },
  { header: 'id', cell: (e) => e.id },
  { header: 'actorUserId', cell: (e) => e.actorUserId },
  { header: 'customerId', cell: (e) => e.customerId },
  { header: 'targetUserId', cell: (e) => e.targetUserId },
];

export const LICENSE_COLUMNS: CsvColumn<PartnerLicenseItem>[] = [
  { header: 'companyName', cell: (l) => l.companyName },
  { header: 'product', cell: (l) => l.product },
  { header: 'seats', cell: (l) => l.seats },
  { header: 'startsAt', cell: (l) => l.startsAt },
  { header: 'expiresAt', cell: (l) => l.expiresAt },
  { header: 'status', cell: (l) => l.status },
  { header: 'graceEndsAt', cell: (l) => l.graceEndsAt },
  { header: 'customerId', cell: (l) => l.customerId },
  { header: 'id', cell: (l) => l.id },
];

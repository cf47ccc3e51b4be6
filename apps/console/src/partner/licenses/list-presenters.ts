import { LICENSE_STATUSES, PartnerLicenseItem } from '@lmp/tenancy';
import { badge, dateOnly } from '../../web/format';
import { customerPath } from '../presenters';
import { sortableColumns, SortHref } from '../../web/sortable-columns';

const SORT_COLUMNS = ['expiresAt', 'companyName', 'product', 'seats'] as const;
export const DEFAULT_LICENSE_SORT = 'expiresAt';

/** The column headers of the partner's license list: each a link that sorts by it (again: the other way). */
export const licenseSortColumns = (current: string, href: SortHref) =>
  sortableColumns(SORT_COLUMNS, DEFAULT_LICENSE_SORT, current, href);

export function statusOptions(selected: string | undefined) {
  return LICENSE_STATUSES.map((value) => ({ value, label: badge(value).text, selected: value === selected }));
}

export function partnerLicenseRow(l: PartnerLicenseItem) {
  return {
    ...l,
    customerHref: customerPath(l.customerId),
    renewHref: `${customerPath(l.customerId)}/licenses/${l.id}/renew`,
    statusBadge: badge(l.status),
    starts: dateOnly(l.startsAt),
    expires: dateOnly(l.expiresAt),
  };
}

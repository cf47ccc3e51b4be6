import { LICENSE_STATUSES, PartnerLicenseItem } from '@lmp/tenancy';
import { badge, dateOnly } from '../../web/format';
import { customerPath } from '../presenters';

const SORT_COLUMNS = ['expiresAt', 'companyName', 'product', 'seats'] as const;
export const DEFAULT_LICENSE_SORT = 'expiresAt';

/** The column headers of the partner's license list: each a link that sorts by it (again: the other way). */
export function licenseSortColumns(current: string, href: (params: Record<string, string | undefined>) => string) {
  return Object.fromEntries(
    SORT_COLUMNS.map((column) => {
      const active = current.replace(/^-/, '') === column;
      const descending = active && current.startsWith('-');
      const next = active && !descending ? `-${column}` : column;
      return [
        column,
        {
          href: href({ sort: next === DEFAULT_LICENSE_SORT ? undefined : next }),
          ariaSort: active ? (descending ? 'descending' : 'ascending') : 'none',
          arrow: active ? (descending ? '↓' : '↑') : '',
        },
      ];
    }),
  );
}

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
